// Service accounts as Pomerium Enterprise runs them: shared secrets rotated without an outage,
// accounts usable only in their namespace and its children, revocation that holds for cached
// tokens, the isRevoked hook and invalidate(), and Pomerium's rule that an expiry in 1970 or
// earlier never expires.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  createPomeriumAuth,
  createRecordsSource,
  PomeriumAuthError,
  type NamespaceRecord,
  type PomeriumAuthOptions,
  type ServiceAccountRecord,
} from '@pomerium-auth/core';
import {
  serviceAccountHeaders,
  signServiceAccountToken,
  type TestIssuer,
} from '@pomerium-auth/testing';
import { issuer as makeIssuer, request } from './fixtures.js';

let issuer: TestIssuer;
before(async () => {
  issuer = await makeIssuer();
});
after(async () => {
  await issuer.close();
});
const quiet = { warn: () => undefined };

/** `pass <user>` or `<status> <reason>`, for tables. */
async function outcome(
  auth: ReturnType<typeof createPomeriumAuth>,
  token: string,
): Promise<string> {
  try {
    const identity = await auth.authenticate(request(serviceAccountHeaders(token)));
    return `pass ${identity?.user.id}`;
  } catch (err) {
    assert.ok(err instanceof PomeriumAuthError, `threw ${String(err)}`);
    return `${err.status} ${err.reason}`;
  }
}

describe('rotating the shared secret', () => {
  const oldSecret = randomBytes(32).toString('base64');
  const newSecret = randomBytes(32).toString('base64');
  const strayed = randomBytes(32).toString('base64');
  const tokenWith = (secret: string) =>
    signServiceAccountToken(secret, { id: 'sa-1', userId: 'bot' });
  const rows: Array<[string, PomeriumAuthOptions['sharedSecret'], string, string]> = [
    ['the old secret alone verifies its tokens', oldSecret, oldSecret, 'pass bot'],
    ['the old secret alone refuses the new one', oldSecret, newSecret, '401 bad_signature'],
    [
      'during the rotation, tokens of the new secret pass',
      [newSecret, oldSecret],
      newSecret,
      'pass bot',
    ],
    [
      'during the rotation, tokens of the old secret pass',
      [newSecret, oldSecret],
      oldSecret,
      'pass bot',
    ],
    [
      'during the rotation, a third secret is refused',
      [newSecret, oldSecret],
      strayed,
      '401 bad_signature',
    ],
    [
      'once the old secret is removed, its tokens are refused',
      [newSecret],
      oldSecret,
      '401 bad_signature',
    ],
    ['once the old secret is removed, new tokens pass', [newSecret], newSecret, 'pass bot'],
  ];
  for (const [name, configured, signedWith, expected] of rows) {
    test(name, async () => {
      const auth = createPomeriumAuth({ env: false, sharedSecret: configured, logger: quiet });
      assert.equal(await outcome(auth, tokenWith(signedWith)), expected);
    });
  }

  test('POMERIUM_SHARED_SECRET takes a comma-separated list', async () => {
    const auth = createPomeriumAuth({
      env: { POMERIUM_SHARED_SECRET: `${newSecret}, ${oldSecret}` },
      logger: quiet,
    });
    assert.equal(await outcome(auth, tokenWith(oldSecret)), 'pass bot');
    assert.equal(await outcome(auth, tokenWith(newSecret)), 'pass bot');
  });

  test('the key derived from each secret verifies assertions during a rotation', async () => {
    const { deriveSigningKey } = await import('@pomerium-auth/core');
    const { importSigningKey, assertionHeaders } = await import('@pomerium-auth/testing');
    const auth = createPomeriumAuth({
      env: false,
      sharedSecret: [newSecret, oldSecret],
      deriveAssertionKey: true,
      logger: quiet,
    });
    for (const secret of [newSecret, oldSecret]) {
      const derived = deriveSigningKey(secret);
      const key = await importSigningKey(derived.privateKey, 'ES256', derived.kid);
      const token = issuer.mintAssertion({ sub: 'alice' }, { key });
      const identity = await auth.authenticate(request(assertionHeaders(token)));
      assert.equal(identity?.user.id, 'alice');
    }
  });

  const badSecrets: Array<[string, unknown, string]> = [
    ['an empty list', [], 'sharedSecret'],
    ['a number in the list', [newSecret, 42], 'sharedSecret[1]'],
    ['a secret that is not base64', [newSecret, 'not base64!'], 'sharedSecret[1]'],
    ['a short secret', ['c2hvcnQ='], 'sharedSecret[0]'],
  ];
  for (const [what, value, option] of badSecrets) {
    test(`refuses ${what} at construction, naming ${option}`, () => {
      assert.throws(
        () => createPomeriumAuth({ env: false, sharedSecret: value as string[], logger: quiet }),
        { name: 'PomeriumAuthConfigError', option },
      );
    });
  }
});

describe("namespaces: an account works in its namespace and that namespace's children", () => {
  // global ─ team ─ team-dev
  //        └ other
  const tree: NamespaceRecord[] = [
    { id: 'global' },
    { id: 'team', parentId: 'global' },
    { id: 'team-dev', parentId: 'team' },
    { id: 'other', parentId: 'global' },
  ];
  const namespaces = (id: string) => tree.find((n) => n.id === id) ?? null;
  const token = () => issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' });
  const withAccount = (
    record: Partial<ServiceAccountRecord>,
    more: Partial<PomeriumAuthOptions> = {},
  ) =>
    createPomeriumAuth({
      env: false,
      sharedSecret: issuer.sharedSecret,
      serviceAccounts: (id) => ({ id, userId: 'bot', ...record }),
      namespace: 'team',
      namespaces,
      logger: quiet,
      ...more,
    });
  const rows: Array<[string, string | undefined, string]> = [
    ['an account of this namespace passes', 'team', 'pass bot'],
    ['an account of an ancestor passes', 'global', 'pass bot'],
    ['an account of a child namespace is refused', 'team-dev', '401 namespace_mismatch'],
    ['an account of a sibling namespace is refused', 'other', '401 namespace_mismatch'],
    ['an account of an unknown namespace is refused', 'nowhere', '401 namespace_mismatch'],
    ['an account whose record names no namespace is refused', undefined, '401 namespace_mismatch'],
  ];
  for (const [name, namespace, expected] of rows) {
    test(name, async () => {
      const auth = withAccount(namespace === undefined ? {} : { namespace });
      assert.equal(await outcome(auth, token()), expected);
    });
  }

  test('the principal and the audit event carry the namespace', async () => {
    const events: Array<{ namespace?: string; service_account_id?: string }> = [];
    const auth = withAccount({ namespace: 'global' }, { audit: (e) => events.push(e) });
    const identity = await auth.authenticate(request(serviceAccountHeaders(token())));
    assert.equal(identity?.user.namespace, 'global');
    assert.deepEqual(
      events.map((e) => [e.namespace, e.service_account_id]),
      [['global', 'sa-1']],
    );
  });

  test('a namespaces lookup that fails is a 503, never a pass', async () => {
    const auth = withAccount(
      { namespace: 'global' },
      {
        namespaces: () => {
          throw new Error('database down');
        },
      },
    );
    assert.equal(await outcome(auth, token()), '503 lookup_failed');
  });

  test('a namespaces records source that has not loaded yet is a 503', async () => {
    const source = createRecordsSource({
      url: 'http://127.0.0.1:1/namespaces.json',
      timeout: 200,
      logger: quiet,
    });
    try {
      const auth = withAccount({ namespace: 'global' }, { namespaces: source });
      assert.equal(await outcome(auth, token()), '503 lookup_failed');
    } finally {
      source.close();
    }
  });

  test("namespaces given as records, in Pomerium's external-data shape", async () => {
    const source = createRecordsSource({
      records: [{ id: 'global' }, { id: 'team', parent_id: 'global' }],
    });
    const auth = withAccount({ namespace: 'global' }, { namespaces: source });
    assert.equal(await outcome(auth, token()), 'pass bot');
  });

  test('a cycle in the namespace tree ends, refused', async () => {
    const loop = (id: string) => ({ id, parentId: id === 'team' ? 'loop' : 'team' });
    const auth = withAccount({ namespace: 'global' }, { namespaces: loop });
    assert.equal(await outcome(auth, token()), '401 namespace_mismatch');
  });

  const badOptions: Array<[string, Partial<PomeriumAuthOptions>, string]> = [
    ['namespace without serviceAccounts', { namespace: 'team' }, 'namespace'],
    ['an empty namespace', { namespace: '', serviceAccounts: () => null }, 'namespace'],
    ['namespaces without namespace', { namespaces, serviceAccounts: () => null }, 'namespaces'],
    [
      'namespaces that is not a lookup',
      { namespace: 'team', serviceAccounts: () => null, namespaces: 'x' as never },
      'namespaces',
    ],
  ];
  for (const [what, options, option] of badOptions) {
    test(`refuses ${what} at construction`, () => {
      assert.throws(
        () =>
          createPomeriumAuth({
            env: false,
            sharedSecret: issuer.sharedSecret,
            logger: quiet,
            ...options,
          }),
        { name: 'PomeriumAuthConfigError', option },
      );
    });
  }
});

describe('revocation', () => {
  test('invalidate() drops every cached verification at once', async () => {
    const auth = createPomeriumAuth({
      env: false,
      sharedSecret: issuer.sharedSecret,
      logger: quiet,
    });
    const tokens = ['a', 'b'].map((sub) => issuer.mintLegacyServiceAccountToken({ sub }));
    for (let i = 0; i < 2; i++) for (const token of tokens) await outcome(auth, token);
    assert.equal(auth.invalidate('nobody'), 0);
    assert.equal(auth.invalidate(), 2, 'both tokens were cached');
    assert.equal(auth.invalidate(), 0);
  });

  test('invalidate(serviceAccountId) drops only that account', async () => {
    const auth = createPomeriumAuth({
      env: false,
      sharedSecret: issuer.sharedSecret,
      serviceAccounts: (id) => ({ id, userId: id === 'sa-1' ? 'bot' : 'other' }),
      logger: quiet,
    });
    const one = issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' });
    const two = issuer.mintServiceAccountToken({ id: 'sa-2', userId: 'other' });
    for (let i = 0; i < 2; i++) {
      assert.equal(await outcome(auth, one), 'pass bot');
      assert.equal(await outcome(auth, two), 'pass other');
    }
    assert.equal(auth.invalidate('sa-1'), 1);
    assert.equal(auth.invalidate('sa-1'), 0);
    assert.equal(auth.invalidate('sa-2'), 1);
  });

  test('isRevoked refuses a cached token of a historic format (which has no record) at once', async () => {
    const revoked = new Set<string>();
    const seen: string[] = [];
    const auth = createPomeriumAuth({
      env: false,
      sharedSecret: issuer.sharedSecret,
      isRevoked: (credential, req) => {
        seen.push(`${credential.source} ${credential.principal.id} ${req.url}`);
        return revoked.has(credential.principal.id);
      },
      logger: quiet,
    });
    const token = issuer.mintLegacyServiceAccountToken({ sub: 'cli' });
    for (let i = 0; i < 3; i++) assert.equal(await outcome(auth, token), 'pass cli');
    revoked.add('cli');
    assert.equal(await outcome(auth, token), '401 revoked');
    assert.equal(seen.length, 4, 'consulted on every request, cached token or not');
    assert.equal(seen[0], 'authorization-bearer-pomerium cli /resource');
  });

  const hooks: Array<[string, () => unknown, string]> = [
    ['answers true', () => true, '401 revoked'],
    ['answers false', () => false, 'pass cli'],
    ['resolves true', () => Promise.resolve(true), '401 revoked'],
    ['resolves false', () => Promise.resolve(false), 'pass cli'],
    ['answers undefined (fails closed)', () => undefined, '401 revoked'],
    [
      'throws',
      () => {
        throw new Error('store down');
      },
      '503 lookup_failed',
    ],
    ['rejects', () => Promise.reject(new Error('store down')), '503 lookup_failed'],
  ];
  for (const [what, hook, expected] of hooks) {
    test(`an isRevoked hook that ${what}: ${expected}`, async () => {
      const auth = createPomeriumAuth({
        env: false,
        sharedSecret: issuer.sharedSecret,
        isRevoked: hook as never,
        logger: quiet,
      });
      assert.equal(
        await outcome(auth, issuer.mintLegacyServiceAccountToken({ sub: 'cli' })),
        expected,
      );
    });
  }

  test('isRevoked sees assertions too', async () => {
    const { assertionHeaders } = await import('@pomerium-auth/testing');
    const auth = createPomeriumAuth({
      env: false,
      publicKeys: [issuer.keys[0]!.publicJwk],
      audience: issuer.host,
      isRevoked: (credential) => credential.claims.sid === 'stolen',
      logger: quiet,
    });
    const send = (sid: string) =>
      auth.authenticate(request(assertionHeaders(issuer.mintAssertion({ sub: 'alice', sid }))));
    assert.equal((await send('fine'))?.user.id, 'alice');
    await assert.rejects(send('stolen'), { reason: 'revoked' });
  });
});

describe("Pomerium's rule: an expiry in 1970 or earlier never expires", () => {
  const rows: Array<[string, ServiceAccountRecord['expiresAt'], string]> = [
    ['no expiry', undefined, 'pass bot'],
    ['the epoch itself (an unset timestamp)', new Date(0), 'pass bot'],
    ['the last second of 1970', '1970-12-31T23:59:59Z', 'pass bot'],
    ['a date before 1970', new Date('1969-07-20T20:17:00Z'), 'pass bot'],
    ['seconds within 1970', 86_400, 'pass bot'],
    ['the first second of 1971', '1971-01-01T00:00:00Z', '401 service_account_expired'],
    ['yesterday', new Date(Date.now() - 86_400_000), '401 service_account_expired'],
    ['tomorrow', new Date(Date.now() + 86_400_000), 'pass bot'],
    ['an expiry that cannot be read (fails closed)', 'next tuesday', '401 service_account_expired'],
  ];
  for (const [what, expiresAt, expected] of rows) {
    test(`${what}: ${expected}`, async () => {
      const auth = createPomeriumAuth({
        env: false,
        sharedSecret: issuer.sharedSecret,
        serviceAccounts: (id) => ({
          id,
          userId: 'bot',
          ...(expiresAt === undefined ? {} : { expiresAt }),
        }),
        logger: quiet,
      });
      assert.equal(
        await outcome(auth, issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' })),
        expected,
      );
    });
  }
});
