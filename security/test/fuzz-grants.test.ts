// Property tests over grant matching, differential against a reference model written here
// independently of core: globs and anchored regexes over arbitrary names (look-alikes,
// combining marks, zero-width and case-folding characters and commas included), names with invisible
// characters or pattern syntax refused, `protect` failing closed on case, NFKC, marks and
// confusable letters, groups asked for authorized separately.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  createPomeriumAuth,
  PomeriumAuthConfigError,
  PomeriumAuthError,
} from '@pomerium-auth/core';
import { createTestIssuer, serviceAccountHeaders } from '@pomerium-auth/testing';
import { GRANTS, PROTECT } from './lib/fixtures.js';
import { fuzzParameters, SHARES } from './lib/fuzz-runs.js';

const quiet = { warn: () => undefined };
const issuer = await createTestIssuer();
const auth = createPomeriumAuth({
  env: false,
  sharedSecret: issuer.sharedSecret,
  impersonation: { grants: GRANTS, protect: PROTECT },
  audit: false,
  logger: quiet,
});

/** Name pieces: the grant and protect vocabulary plus troublemakers. */
const namePiece = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'user_',
      'svc-',
      'root',
      'admin',
      'a',
      'b',
      'z',
      'Z',
      '1',
      '_',
      '-',
      '@',
      '.',
      'corp.example',
    ),
  },
  // '\u017f' (long s) and '\u212a' (Kelvin sign): Unicode case folding would turn them into 's' and 'k'.
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '\u017f',
      '\u212a',
      '\uff41',
      '\uff52',
      '\u0430',
      '\u200b',
      '\u0327',
      '\u0130',
      '\u00df',
      ' ',
      '\n',
      '\u00a0',
      '\ufeff',
      'A',
      'R',
      'ROOT',
      'ADMIN',
      '\ud83d\ude00',
      // Node folds repeated headers with ", ": a comma in impersonate-user is a repeat.
      ',',
      ', ',
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 3 }) },
);
const name = fc.array(namePiece, { maxLength: 5 }).map((p) => p.join(''));
const groups = fc.array(
  fc.constantFrom(
    'viewers',
    'admins',
    'Admins',
    '\uff41\uff44\uff4d\uff49\uff4e\uff53',
    'customers',
    'Viewers',
  ),
  { maxLength: 2 },
);

/**
 * Look-alikes of ASCII letters and digits, written out for the model: pairs of a character and
 * the ASCII it resembles (Cyrillic, Greek, Latin look-alikes; digits that pass for letters).
 */
const LOOKS_LIKE = new Map(
  [
    'аa вb сc ԁd еe ёe һh іi їi јj кk ӏl мm нh оo рp ԛq гr ѕs тt уy ўy хx ԝw үy ьb ʏy',
    'αa βb εe ηn ιi κk νv οo ρp τt υu χx ωw ϲc ϳj',
    'ıi ȷj ℓl ǀl ɡg ɑa ɩi ʟl ᴅd ꓲl 0o 1l',
  ]
    .join(' ')
    .split(' ')
    .map((pair) => [pair.slice(0, -1), pair.slice(-1)] as [string, string]),
);
/** What a name looks like: compatibility forms, marks dropped, lower case, look-alikes as ASCII. */
const fold = (s: string): string =>
  [...s.normalize('NFKD').replace(/\p{M}/gu, '').normalize('NFKC').toLowerCase()]
    .map((c) => LOOKS_LIKE.get(c) ?? c)
    .join('');
/** No user is named with invisible or unassigned characters, or with the syntax of patterns. */
const invalidName = (s: string): boolean =>
  [...s].some(
    (c) =>
      /\p{General_Category=Control}|\p{General_Category=Format}|\p{General_Category=Unassigned}/u.test(
        c,
      ) ||
      /\p{General_Category=Surrogate}|\p{General_Category=Line_Separator}/u.test(c) ||
      /\p{General_Category=Paragraph_Separator}/u.test(c) ||
      c === '*' ||
      c === '?',
  ) ||
  (s.length > 1 && s.startsWith('/') && s.endsWith('/'));
const isEmail = (s: string): boolean => s.includes('@');
/** Emails compare with their ASCII letters folded, nothing else. */
const asciiLower = (s: string): string => s.replace(/[A-Z]+/g, (x) => x.toLowerCase());

/** Reference glob matcher over code points: `*` any run, `?` one code point; emails compare in lower case. */
function globMatches(pattern: string, value: string): boolean {
  const p = [...pattern];
  const v = [...(isEmail(value) ? asciiLower(value) : value)];
  const pp = isEmail(value) ? [...asciiLower(pattern)] : p;
  const memo = new Map<string, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let out: boolean;
    if (i === pp.length) out = j === v.length;
    else if (pp[i] === '*') out = go(i + 1, j) || (j < v.length && go(i, j + 1));
    else out = j < v.length && (pp[i] === '?' || pp[i] === v[j]) && go(i + 1, j + 1);
    memo.set(key, out);
    return out;
  };
  return go(0, 0);
}

/** The reference decision for initiator admin (grant "support") without a directory. */
function reference(target: string, asked: string[]): { allowed: boolean; impersonating: boolean } {
  if (invalidName(target) || asked.some(invalidName))
    return { allowed: false, impersonating: true };
  if (target === 'admin' && asked.length === 0) return { allowed: true, impersonating: false };
  const protectedName = [target].some(
    (n) =>
      n === 'admin' ||
      fold(n) === 'admin' ||
      globMatches('root*', n) ||
      globMatches('root*', fold(n)),
  );
  const protectedGroup = asked.some((g) => fold(g) === 'admins');
  if (protectedName || protectedGroup) return { allowed: false, impersonating: true };
  const svc = !isEmail(target) && /^svc-[a-z]+$/.test(target);
  const targetOk = globMatches('user_*', target) || svc || asked.includes('customers');
  const groupsOk = asked.every((g) => g === 'viewers');
  return { allowed: targetOk && groupsOk, impersonating: true };
}

test('explain agrees with the reference model on arbitrary target names and groups', async () => {
  await fc.assert(
    fc.asyncProperty(name, groups, async (target, asked) => {
      const answer = await auth.explain({ initiator: 'admin', target, groups: asked });
      const expected = reference(target, asked);
      assert.equal(
        answer.allowed,
        expected.allowed,
        `allowed for ${JSON.stringify(target)} ${JSON.stringify(asked)}: ${answer.reason ?? ''} ${answer.detail ?? ''}`,
      );
      if (answer.allowed) assert.equal(answer.impersonating, expected.impersonating);
    }),
    fuzzParameters(SHARES.grantsExplain),
  );
});

const adminToken = issuer.mintServiceAccountToken({ id: 'sa-admin', userId: 'admin' });

test('authenticate with arbitrary impersonate-user values gives the reference decision', async () => {
  await fc.assert(
    fc.asyncProperty(name, async (value) => {
      const request = {
        method: 'GET',
        url: '/',
        headers: { ...serviceAccountHeaders(adminToken), 'impersonate-user': value },
      };
      // No user name holds a comma: "a, b" is two headers folded by Node, refused unless every
      // part (trimmed) is the same; "a, a" is "a".
      const parts = value.includes(',') ? value.split(',').map((p) => p.trim()) : [value];
      const repeated = parts.some((p) => p !== parts[0]);
      const target = parts[0]!.trim();
      const expected =
        target === '' ? { allowed: true, impersonating: false } : reference(target, []);
      try {
        const identity = await auth.authenticate(request);
        assert.ok(!repeated, `passed as ${identity?.user.id} for ${JSON.stringify(value)}`);
        assert.ok(expected.allowed, `passed as ${identity?.user.id} for ${JSON.stringify(value)}`);
        assert.equal(identity?.impersonating, expected.impersonating);
        assert.equal(identity?.user.id, expected.impersonating ? target : 'admin');
        assert.equal(identity?.initiator.id, 'admin');
      } catch (err) {
        assert.ok(err instanceof PomeriumAuthError, `threw ${String(err)}`);
        if (repeated) assert.deepEqual([err.status, err.reason], [400, 'repeated_header']);
        else {
          assert.ok(
            !expected.allowed,
            `refused ${JSON.stringify(value)}: ${err.reason} ${err.detail ?? ''}`,
          );
          assert.equal(err.status, 403);
          assert.equal(err.description, 'Impersonation is not allowed');
        }
      }
      assert.equal(
        request.headers['impersonate-user' as keyof typeof request.headers],
        undefined,
        'the header is removed',
      );
    }),
    fuzzParameters(SHARES.grantsAuthenticate),
  );
});

test('arbitrary glob and regex patterns: a config error or the anchored reference answer', async () => {
  const globPattern = fc
    .array(fc.constantFrom('a', 'b', 'A', '_', '*', '?', '.', '@'), { minLength: 1, maxLength: 6 })
    .map((p) => p.join(''));
  const regexPattern = fc
    .array(
      fc.constantFrom(
        'a',
        'b',
        'A',
        '[ab]',
        '[A-B]',
        '[^A]',
        '|',
        '(a|b)',
        '.',
        '+',
        '*',
        '?',
        '(',
        ')',
        '\\',
      ),
      {
        minLength: 1,
        maxLength: 5,
      },
    )
    .map((p) => `/${p.join('')}/`);
  const value = fc
    .array(fc.constantFrom('a', 'b', '_', '.', '@', 'A'), { maxLength: 6 })
    .map((p) => p.join(''));
  await fc.assert(
    fc.asyncProperty(fc.oneof(globPattern, regexPattern), value, async (pattern, target) => {
      let probe: ReturnType<typeof createPomeriumAuth>;
      try {
        probe = createPomeriumAuth({
          env: false,
          sharedSecret: issuer.sharedSecret,
          impersonation: { grants: [{ initiators: ['initiator'], targets: [pattern] }] },
          audit: false,
          logger: quiet,
        });
      } catch (err) {
        assert.ok(err instanceof PomeriumAuthConfigError, `threw ${String(err)}`);
        assert.match(err.option, /^impersonation\.grants\[0\]\.targets\[0\]$/);
        return;
      }
      const answer = await probe.explain({ initiator: 'initiator', target });
      const body = /^\/(.+)\/$/s.exec(pattern)?.[1];
      const expected =
        body === undefined
          ? globMatches(pattern, target)
          : new RegExp(`^(?:${body})$`, isEmail(target) ? 'iu' : 'u').test(target);
      assert.equal(answer.allowed, expected, `${pattern} vs ${JSON.stringify(target)}`);
    }),
    fuzzParameters(SHARES.grantsPatterns),
  );
});
