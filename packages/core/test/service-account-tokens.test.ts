import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import {
  createPomeriumAuth,
  createRecordsSource,
  type PomeriumAuthOptions,
  type ServiceAccountRecord,
} from '@pomerium-auth/core';
import {
  serviceAccountHeaders,
  signJwt,
  SERVICE_ACCOUNT_SCHEMES,
  type TestIssuer,
} from '@pomerium-auth/testing';
import { failure, issuer as makeIssuer, request } from './fixtures.js';

let issuer: TestIssuer;
const now = () => Math.floor(Date.now() / 1000);

before(async () => {
  issuer = await makeIssuer();
});

function auth(options: PomeriumAuthOptions = {}) {
  return createPomeriumAuth({
    env: false,
    sharedSecret: issuer.sharedSecret,
    cache: false,
    ...options,
  });
}

describe('service-account tokens, today’s format', () => {
  for (const scheme of SERVICE_ACCOUNT_SCHEMES) {
    test(`are accepted in the ${scheme} scheme`, async () => {
      const token = issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'user-1' });
      const identity = await auth().authenticate(request(serviceAccountHeaders(token, scheme)));
      assert.equal(identity?.credential.source, scheme);
      assert.equal(identity?.user.id, 'user-1');
      assert.equal(identity?.user.kind, 'service-account');
      assert.equal(identity?.user.serviceAccountId, 'sa-1');
      assert.equal(identity?.impersonating, false);
      assert.equal(identity?.initiator, identity?.user);
      assert.ok(Object.isFrozen(identity?.user.claims));
    });
  }

  test('without exp never expire by themselves', async () => {
    const token = issuer.mintServiceAccountToken({
      id: 'sa-1',
      userId: 'user-1',
      issuedAt: new Date('2020-01-01'),
    });
    const identity = await auth().authenticate(request(serviceAccountHeaders(token)));
    assert.equal(identity?.credential.expiresAt, undefined);
  });

  test('carry their exp into credential.expiresAt', async () => {
    const exp = now() + 600;
    const token = issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'user-1', expiresAt: exp });
    const identity = await auth().authenticate(request(serviceAccountHeaders(token)));
    assert.equal(identity?.credential.expiresAt?.getTime(), exp * 1000);
  });

  test('are accepted when an issuer and audience are configured (they carry neither claim)', async () => {
    const token = issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'user-1' });
    const identity = await auth({
      issuer: 'authenticate.example.com',
      audience: 'app.example.com',
    }).authenticate(request(serviceAccountHeaders(token)));
    assert.equal(identity?.user.id, 'user-1');
  });
});

describe('service-account records', () => {
  const records: Record<string, ServiceAccountRecord> = {
    'sa-live': { id: 'sa-live', userId: 'user-1' },
    'sa-expired': {
      id: 'sa-expired',
      userId: 'user-1',
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    },
    'sa-later': { id: 'sa-later', userId: 'user-1', expiresAt: Date.now() + 3_600_000 },
    'sa-other': { id: 'sa-other', userId: 'someone-else' },
  };
  const serviceAccounts = (id: string) => records[id] ?? null;

  const rows: Array<[string, string, string | null]> = [
    ['accepts a known account', 'sa-live', null],
    ['accepts an account whose expiry is ahead', 'sa-later', null],
    ['refuses an unknown (deleted, so revoked) account', 'sa-gone', 'unknown_service_account'],
    ['refuses an expired account', 'sa-expired', 'service_account_expired'],
    [
      'refuses a token whose user is not the account’s user',
      'sa-other',
      'service_account_mismatch',
    ],
  ];
  for (const [description, id, reason] of rows) {
    test(description, async () => {
      const token = issuer.mintServiceAccountToken({ id, userId: 'user-1' });
      const result = auth({ serviceAccounts }).authenticate(request(serviceAccountHeaders(token)));
      if (reason === null) {
        assert.equal((await result)?.user.serviceAccountId, id);
      } else {
        const err = await failure(result);
        assert.equal(err.status, 401);
        assert.equal(err.error, 'invalid_token');
        assert.equal(err.reason, reason);
      }
    });
  }

  test('answers 503, never a pass, when the record lookup fails', async () => {
    const token = issuer.mintServiceAccountToken({ id: 'sa-live', userId: 'user-1' });
    const err = await failure(
      auth({ serviceAccounts: () => Promise.reject(new Error('db down')) }).authenticate(
        request(serviceAccountHeaders(token)),
      ),
    );
    assert.equal(err.status, 503);
    assert.equal(err.reason, 'lookup_failed');
  });

  test('gives the account the email, name and groups of the directory user it acts as', async () => {
    const token = issuer.mintServiceAccountToken({ id: 'sa-live', userId: 'user-1' });
    const directory = (id: string) =>
      id === 'user-1'
        ? { id: 'user-1', email: 'one@corp.example', name: 'One', groups: ['support'] }
        : null;
    const identity = await auth({ serviceAccounts, directory }).authenticate(
      request(serviceAccountHeaders(token)),
    );
    assert.deepEqual(
      { ...identity!.user, claims: undefined },
      {
        id: 'user-1',
        email: 'one@corp.example',
        name: 'One',
        groups: ['support'],
        kind: 'service-account',
        serviceAccountId: 'sa-live',
        claims: undefined,
      },
    );
  });
});

describe('historic pomerium-cli tokens', () => {
  test('are accepted with user, email and groups from their claims', async () => {
    const token = issuer.mintLegacyServiceAccountToken({
      iss: 'authenticate.example.com',
      aud: ['app.example.com'],
      sub: 'bob',
      user: 'bob',
      email: 'bob@pomerium.io',
      groups: ['admins'],
    });
    const identity = await auth({
      issuer: 'authenticate.example.com',
      audience: 'app.example.com',
    }).authenticate(request(serviceAccountHeaders(token, 'authorization-pomerium')));
    assert.equal(identity?.user.id, 'bob');
    assert.equal(identity?.user.email, 'bob@pomerium.io');
    assert.deepEqual(identity?.user.groups, ['admins']);
    assert.equal(identity?.user.kind, 'service-account');
  });

  const mismatches: Array<[string, Partial<PomeriumAuthOptions>, string]> = [
    [
      'refuses another issuer when an issuer is configured',
      { issuer: 'authenticate.other.com' },
      'issuer_mismatch',
    ],
    [
      'refuses another audience when an audience is configured',
      { audience: 'other.example.com' },
      'audience_mismatch',
    ],
  ];
  for (const [description, options, reason] of mismatches) {
    test(description, async () => {
      const token = issuer.mintLegacyServiceAccountToken({
        iss: 'authenticate.example.com',
        aud: ['app.example.com'],
      });
      const err = await failure(auth(options).authenticate(request(serviceAccountHeaders(token))));
      assert.equal(err.reason, reason);
    });
  }

  test('signed with the base64 text as key (v0.8 to v0.13) are refused by default', async () => {
    const token = issuer.mintLegacyServiceAccountToken({ encoding: 'legacy-raw' });
    const err = await failure(auth().authenticate(request(serviceAccountHeaders(token))));
    assert.equal(err.reason, 'bad_signature');
  });

  test('signed with the base64 text as key are accepted with sharedSecretEncoding legacy-raw', async () => {
    const token = issuer.mintLegacyServiceAccountToken({
      encoding: 'legacy-raw',
      user: 'carol',
      sub: 'carol',
    });
    const identity = await auth({ sharedSecretEncoding: 'legacy-raw' }).authenticate(
      request(serviceAccountHeaders(token)),
    );
    assert.equal(identity?.user.id, 'carol');
  });
});

describe('service-account token failures', () => {
  const key = () => issuer.sharedSecretBytes;
  const rows: Array<[string, () => string, number, string, string]> = [
    [
      'refuses a wrong HMAC key',
      () =>
        signJwt(
          { alg: 'HS256', typ: 'JWT' },
          { jti: 'sa', sub: 'u', iat: now() },
          Buffer.alloc(32, 7),
        ),
      401,
      'invalid_token',
      'bad_signature',
    ],
    [
      'refuses alg none',
      () => signJwt({ alg: 'none' }, { jti: 'sa', sub: 'u', iat: now() }, null),
      401,
      'invalid_token',
      'algorithm_not_allowed',
    ],
    [
      'refuses HS512',
      () => signJwt({ alg: 'HS512' }, { jti: 'sa', sub: 'u' }, key()),
      401,
      'invalid_token',
      'algorithm_not_allowed',
    ],
    [
      'refuses an expired token',
      () => signJwt({ alg: 'HS256' }, { jti: 'sa', sub: 'u', exp: now() - 60 }, key()),
      401,
      'invalid_token',
      'token_expired',
    ],
    [
      'refuses a token not yet valid',
      () => signJwt({ alg: 'HS256' }, { jti: 'sa', sub: 'u', nbf: now() + 60 }, key()),
      401,
      'invalid_token',
      'token_not_yet_valid',
    ],
    [
      'refuses a token issued in the future',
      () => signJwt({ alg: 'HS256' }, { jti: 'sa', sub: 'u', iat: now() + 60 }, key()),
      401,
      'invalid_token',
      'issued_in_future',
    ],
    [
      'refuses a token without sub',
      () => signJwt({ alg: 'HS256' }, { jti: 'sa' }, key()),
      401,
      'invalid_token',
      'missing_claim',
    ],
    [
      'refuses groups that are not an array of strings',
      () => signJwt({ alg: 'HS256' }, { sub: 'u', user: 'u', groups: 'admins' }, key()),
      401,
      'invalid_token',
      'invalid_claim',
    ],
    [
      'refuses an exp that is not a number',
      () => signJwt({ alg: 'HS256' }, { jti: 'sa', sub: 'u', exp: '9999999999' }, key()),
      401,
      'invalid_token',
      'invalid_claim',
    ],
    [
      'refuses a payload that is not JSON',
      () => signJwt({ alg: 'HS256' }, 'not json', key()),
      401,
      'invalid_token',
      'malformed_token',
    ],
    [
      'refuses a crit header',
      () => signJwt({ alg: 'HS256', crit: ['exp'] }, { jti: 'sa', sub: 'u' }, key()),
      401,
      'invalid_token',
      'unsupported_header',
    ],
  ];
  for (const [description, token, status, code, reason] of rows) {
    test(description, async () => {
      const err = await failure(auth().authenticate(request(serviceAccountHeaders(token()))));
      assert.deepEqual([err.status, err.error, err.reason], [status, code, reason]);
    });
  }

  test('accepts a token expired within the clock tolerance', async () => {
    const token = signJwt({ alg: 'HS256' }, { jti: 'sa', sub: 'u', exp: now() - 2 }, key());
    assert.equal((await auth().authenticate(request(serviceAccountHeaders(token))))?.user.id, 'u');
    const err = await failure(
      auth({ clockTolerance: 0 }).authenticate(request(serviceAccountHeaders(token))),
    );
    assert.equal(err.reason, 'token_expired');
  });

  test('refuses a token older than maxTokenAge', async () => {
    const token = signJwt({ alg: 'HS256' }, { jti: 'sa', sub: 'u', iat: now() - 120 }, key());
    const err = await failure(
      auth({ maxTokenAge: 60 }).authenticate(request(serviceAccountHeaders(token))),
    );
    assert.equal(err.reason, 'token_too_old');
  });
});

after(async () => {
  await issuer.close();
});

describe('service-account records from a records source', () => {
  test('answer 503 until the source has loaded, then decide from its records', async () => {
    let up = false;
    const server = createServer((_req, res) => {
      if (!up) return res.writeHead(500).end();
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify([{ id: 'sa-1', user_id: 'user-1' }]));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const serviceAccounts = createRecordsSource({
      url: `http://127.0.0.1:${port}/sa.json`,
      minDelay: 0.05,
      maxDelay: 0.05,
      logger: { warn: () => undefined },
    });
    try {
      await serviceAccounts.ready();
      const token = issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'user-1' });
      const a = auth({ serviceAccounts });
      assert.equal(
        (await failure(a.authenticate(request(serviceAccountHeaders(token))))).status,
        503,
      );
      up = true;
      while (serviceAccounts.version === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(
        (await a.authenticate(request(serviceAccountHeaders(token))))?.user.serviceAccountId,
        'sa-1',
      );
      const unknown = issuer.mintServiceAccountToken({ id: 'sa-2', userId: 'user-1' });
      assert.equal(
        (await failure(a.authenticate(request(serviceAccountHeaders(unknown))))).reason,
        'unknown_service_account',
      );
    } finally {
      serviceAccounts.close();
      server.close();
    }
  });
});
