// auth.decide(): the decision of authenticate(), handed back in the same turn when nothing had to
// be awaited. Adapters call it on every request; these specify when it answers synchronously,
// that it decides exactly as authenticate() does, and that it fails only with PomeriumAuthError.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import fc from 'fast-check';
import {
  createPomeriumAuth,
  PomeriumAuthError,
  type AuthRequest,
  type Identity,
  type PomeriumAuthOptions,
} from '@pomerium-auth/core';
import {
  assertionHeaders,
  serviceAccountHeaders,
  signJwt,
  type TestIssuer,
} from '@pomerium-auth/testing';
import { issuer as makeIssuer, request, withAudit } from './fixtures.js';

let issuer: TestIssuer;
const now = () => Math.floor(Date.now() / 1000);

before(async () => {
  issuer = await makeIssuer();
});

/** Grants without a directory: core warns at start-up that targets are taken as named. */
const NO_DIRECTORY_WARNING =
  'pomerium-auth: impersonation is granted but no directory is configured: targets are taken as named, with the groups asked for';

/**
 * An authenticator for these tests, signatures checked on the main thread (off it, an
 * assertion's answer is always a promise). Its start-up warnings go to `warnings`; a test that
 * passes none expects none, and an unexpected warning fails it at construction.
 */
function auth(options: PomeriumAuthOptions = {}, warnings?: string[]) {
  return createPomeriumAuth({
    env: false,
    sharedSecret: issuer.sharedSecret,
    publicKeys: [issuer.keys[0]!.publicJwk],
    audience: issuer.host,
    assertionVerification: 'main-thread',
    logger: {
      warn: (message) => {
        if (!warnings) throw new Error(`unexpected start-up warning: ${message}`);
        warnings.push(message);
      },
    },
    ...options,
  });
}

/** What decide() threw, or undefined when it did not throw. */
function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('auth.decide answers in the same turn', () => {
  test('for a service-account token that needs no record lookup, from its first sight on', () => {
    const a = auth();
    const token = issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot-1' });
    for (let i = 0; i < 3; i++) {
      const decided = a.decide(request(serviceAccountHeaders(token)));
      assert.ok(!(decided instanceof Promise), `request ${i} was answered with a promise`);
      assert.equal(decided?.user.id, 'bot-1');
    }
  });

  test('for an assertion verified with a configured public key', () => {
    const decided = auth().decide(
      request(assertionHeaders(issuer.mintAssertion({ sub: 'user-7' }))),
    );
    assert.ok(!(decided instanceof Promise));
    assert.equal(decided?.user.id, 'user-7');
  });

  test('for an anonymous request when authentication is optional', () => {
    assert.equal(auth({ required: false }).decide(request({})), undefined);
  });

  test('for a cached token whose record a records source holds in memory, looked up on every request', () => {
    let lookups = 0;
    // A synchronous lookup, as a records source's is: the record is consulted without waiting.
    const a = auth({ serviceAccounts: (id) => (lookups++, { id, userId: 'bot-1' }) });
    const token = issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot-1' });
    for (let i = 0; i < 3; i++) {
      const decided = a.decide(request(serviceAccountHeaders(token)));
      assert.ok(!(decided instanceof Promise), `request ${i} is decided in the same turn`);
      assert.equal(decided?.user.id, 'bot-1');
    }
    assert.equal(lookups, 3, 'the record is checked on every request, cached token or not');
  });
});

describe('auth.decide waits for an asynchronous record lookup', () => {
  test('on every request, the cached token too: the record decides whether it still stands', async () => {
    let lookups = 0;
    const a = auth({
      serviceAccounts: (id) => (lookups++, Promise.resolve({ id, userId: 'bot-1' })),
    });
    const token = issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot-1' });
    for (let i = 0; i < 3; i++) {
      const decided = a.decide(request(serviceAccountHeaders(token)));
      assert.ok(decided instanceof Promise, `request ${i} waits for the lookup`);
      assert.equal((await decided)?.user.id, 'bot-1');
    }
    assert.equal(lookups, 3);
  });
});

describe('auth.decide hands back a promise', () => {
  test('when the keys have to be fetched first, and in the same turn once they are held', async () => {
    const server = await issuer.serve();
    try {
      const a = createPomeriumAuth({
        env: false,
        jwksUrl: server.url,
        audience: issuer.host,
        assertionVerification: 'main-thread',
      });
      const first = a.decide(request(assertionHeaders(issuer.mintAssertion({ sub: 'u1' }))));
      assert.ok(first instanceof Promise);
      assert.equal((await first)?.user.id, 'u1');
      const next = a.decide(request(assertionHeaders(issuer.mintAssertion({ sub: 'u2' }))));
      assert.ok(!(next instanceof Promise));
      assert.equal(next?.user.id, 'u2');
    } finally {
      await server.close();
    }
  });

  test('when an impersonation is asked for (grants and the directory are consulted)', async () => {
    const warnings: string[] = [];
    const a = auth(
      { impersonation: { grants: [{ initiators: ['group:admins'], targets: ['user_*'] }] } },
      warnings,
    );
    assert.deepEqual(warnings, [NO_DIRECTORY_WARNING]);
    const headers = {
      ...assertionHeaders(issuer.mintAssertion({ sub: 'admin', groups: ['admins'] })),
      'impersonate-user': 'user_1',
    };
    const decided = a.decide(request(headers));
    assert.ok(decided instanceof Promise);
    const identity = (await decided) as Identity;
    assert.deepEqual(
      [identity.initiator.id, identity.user.id, identity.impersonating],
      ['admin', 'user_1', true],
    );
  });
});

describe('auth.decide refuses as authenticate does', () => {
  const key = () => issuer.sharedSecretBytes;
  const rows: Array<[string, () => Record<string, string>, PomeriumAuthOptions, string]> = [
    ['no credential at all', () => ({}), {}, 'no_credentials'],
    [
      'a credential that is not a compact JWS',
      () => ({ authorization: 'Pomerium not-a-token' }),
      {},
      'malformed_credential',
    ],
    [
      'alg none',
      () => serviceAccountHeaders(signJwt({ alg: 'none' }, { jti: 'sa', sub: 'u' }, null)),
      {},
      'algorithm_not_allowed',
    ],
    [
      'a wrong HMAC key',
      () =>
        serviceAccountHeaders(
          signJwt({ alg: 'HS256' }, { jti: 'sa', sub: 'u' }, Buffer.alloc(32, 7)),
        ),
      {},
      'bad_signature',
    ],
    [
      'an expired service-account token',
      () =>
        serviceAccountHeaders(
          signJwt({ alg: 'HS256' }, { jti: 'sa', sub: 'u', exp: now() - 60 }, key()),
        ),
      {},
      'token_expired',
    ],
    [
      'an assertion for another audience',
      () => assertionHeaders(issuer.mintAssertion({ aud: 'other.example.com' })),
      {},
      'audience_mismatch',
    ],
    [
      'an impersonation header without a credential',
      () => ({ 'impersonate-user': 'user_1' }),
      { required: false },
      'no_credentials',
    ],
  ];
  for (const [description, headers, options, reason] of rows) {
    test(`${description}: thrown in the same turn, audited once, the reason authenticate rejects with`, async () => {
      const { auth: audited, events } = withAudit({
        sharedSecret: issuer.sharedSecret,
        publicKeys: [issuer.keys[0]!.publicJwk],
        audience: issuer.host,
        assertionVerification: 'main-thread',
        ...options,
      });
      const err = thrownBy(() => audited.decide(request(headers())));
      assert.ok(
        err instanceof PomeriumAuthError,
        `expected a PomeriumAuthError, got ${String(err)}`,
      );
      assert.equal(err.reason, reason);
      const rejected = await audited.authenticate(request(headers())).then(
        () => assert.fail('authenticate accepted what decide refused'),
        (e: unknown) => e,
      );
      assert.ok(rejected instanceof PomeriumAuthError);
      assert.equal(rejected.reason, reason);
      assert.deepEqual(
        events.map((e) => e.event),
        ['authentication_failed', 'authentication_failed'],
      );
    });
  }

  test('a later route rule narrows in the same turn: forbid refuses an impersonation decided by the first', async () => {
    const warnings: string[] = [];
    const a = auth(
      { impersonation: { grants: [{ initiators: ['group:admins'], targets: ['user_*'] }] } },
      warnings,
    );
    assert.deepEqual(warnings, [NO_DIRECTORY_WARNING]);
    const headers = {
      ...assertionHeaders(issuer.mintAssertion({ sub: 'admin', groups: ['admins'] })),
      'impersonate-user': 'user_1',
    };
    const decided = a.decide(request(headers), [{}, { impersonation: 'forbid' }]);
    assert.ok(decided instanceof Promise);
    await assert.rejects(
      decided,
      (e: unknown) => e instanceof PomeriumAuthError && e.status === 403,
    );
  });

  test('a value that is not a request is refused as internal_error by every entry point, never a TypeError', async () => {
    const a = auth();
    const notRequests: Array<[what: string, value: unknown]> = [
      ['undefined', undefined],
      ['null', null],
      ['a string', 'GET /'],
      ['a number', 5],
      ['an object without headers', { method: 'GET', url: '/' }],
      ['headers null', { method: 'GET', url: '/', headers: null }],
      ['headers a number', { method: 'GET', url: '/', headers: 5 }],
      ['headers a string', { method: 'GET', url: '/', headers: 'authorization: x' }],
    ];
    const isFault = (what: string) => (err: unknown) => {
      assert.ok(err instanceof PomeriumAuthError, `${what}: ${inspect(err)}`);
      assert.equal(`${err.status} ${err.code} ${err.reason}`, '401 invalid_token internal_error');
      return true;
    };
    for (const [what, value] of notRequests) {
      const req = value as AuthRequest;
      isFault(`decide, ${what}`)(thrownBy(() => a.decide(req)));
      await assert.rejects(a.authenticate(req), isFault(`authenticate, ${what}`));
      isFault(`requireIdentity, ${what}`)(thrownBy(() => a.requireIdentity(undefined, req)));
      isFault(`authorizeRoute, ${what}`)(
        thrownBy(() => a.authorizeRoute(undefined, req, { impersonation: 'forbid' })),
      );
    }
  });

  test('whatever the headers hold, it answers, throws or rejects with a PomeriumAuthError that is not an internal fault', async () => {
    const warnings: string[] = [];
    const a = auth(
      { required: false, impersonation: { grants: [{ initiators: ['*'], targets: ['*'] }] } },
      warnings,
    );
    assert.deepEqual(warnings, [NO_DIRECTORY_WARNING]);
    const segment = fc.stringMatching(/^[A-Za-z0-9_-]{0,40}$/);
    const genuine = fc.constantFrom(
      issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' }),
      issuer.mintLegacyServiceAccountToken({ sub: 'cli', impersonate_email: 'user_1' }),
      issuer.mintAssertion({ sub: 'alice', act: { sub: 'bob' } }),
    );
    const tokenish = fc.oneof(
      { weight: 1, arbitrary: fc.string() },
      { weight: 1, arbitrary: fc.tuple(segment, segment, segment).map((parts) => parts.join('.')) },
      { weight: 3, arbitrary: genuine },
    );
    const value = fc.oneof(
      tokenish,
      tokenish.map((t) => `Pomerium ${t}`),
      tokenish.map((t) => `Bearer Pomerium-${t}`),
      fc.array(tokenish, { maxLength: 3 }),
    );
    const names = fc.constantFrom(
      'authorization',
      'x-pomerium-authorization',
      'x-pomerium-jwt-assertion',
      'impersonate-user',
      'impersonate-group',
      'constructor',
      '__proto__',
    );
    const seen = { same: 0, later: 0, identity: 0, refused: 0 };
    // Hostile maps, and a genuine credential alone in each scheme (the branch that passes).
    const headerMaps = fc.oneof(
      fc.dictionary(names, value, { maxKeys: 4 }),
      fc
        .tuple(fc.constantFrom('x-pomerium-authorization', 'authorization'), genuine)
        .map(([name, token]): Record<string, string> => ({
          [name]: name === 'authorization' ? `Pomerium ${token}` : token,
        })),
    );
    await fc.assert(
      fc.asyncProperty(headerMaps, async (headers) => {
        const req: AuthRequest = { method: 'GET', url: '/', headers: { ...headers } };
        let outcome: unknown;
        let err: unknown;
        try {
          const decided = a.decide(req);
          if (decided instanceof Promise) seen.later++;
          else seen.same++;
          outcome = await decided;
        } catch (thrown) {
          err = thrown;
        }
        if (err === undefined) {
          if (outcome !== undefined) seen.identity++;
          return;
        }
        seen.refused++;
        assert.ok(err instanceof PomeriumAuthError, `threw ${inspect(err)}`);
        assert.notEqual(err.reason, 'internal_error', `an internal fault: ${err.detail ?? ''}`);
      }),
      { numRuns: 2000 },
    );
    // Each branch must have run, or the property proves nothing about it.
    for (const [branch, count] of Object.entries(seen))
      assert.ok(count > 20, `${branch}: ${count}`);
  });
});
