import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createPomeriumAuth,
  deriveSigningKey,
  type PomeriumAuthOptions,
} from '@pomerium-auth/core';
import {
  assertionHeaders,
  createTestIssuer,
  generateSigningKey,
  importSigningKey,
  signJwt,
  type JwksServer,
  type TestIssuer,
} from '@pomerium-auth/testing';
import { failure, issuer as makeIssuer, request, ROUTE_HOST } from './fixtures.js';

let es: TestIssuer;
let rs: TestIssuer;
const now = () => Math.floor(Date.now() / 1000);
const close: Array<() => Promise<void>> = [];

before(async () => {
  es = await makeIssuer();
  rs = await createTestIssuer({ alg: 'RS256', host: ROUTE_HOST });
});
after(async () => {
  for (const c of close) await c();
  await es.close();
  await rs.close();
});

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * The token with its signature's last character moved up by one: the unused low bits of that
 * character change, so it decodes to the very same bytes (a second spelling of the signature).
 */
function nonCanonical(token: string): string {
  const last = token[token.length - 1]!;
  assert.notEqual(token.split('.')[2]!.length % 4, 0, 'the signature has unused bits');
  return token.slice(0, -1) + BASE64URL[BASE64URL.indexOf(last) + 1]!;
}

function auth(options: PomeriumAuthOptions) {
  return createPomeriumAuth({
    env: false,
    issuer: ROUTE_HOST,
    audience: ROUTE_HOST,
    cache: false,
    ...options,
  });
}

async function serve(issuer: TestIssuer): Promise<JwksServer> {
  const server = await issuer.serve();
  close.push(() => server.close());
  return server;
}

describe('assertions with static keys', () => {
  test('accept an ES256 assertion verified with a public JWK, with Pomerium’s claims', async () => {
    const token = es.mintAssertion({
      sub: 'user-7',
      email: 'seven@corp.example',
      name: 'Seven',
      groups: ['g1', 'Group One'],
    });
    const identity = await auth({ publicKeys: [es.keys[0]!.publicJwk] }).authenticate(
      request(assertionHeaders(token)),
    );
    assert.equal(identity?.credential.source, 'assertion');
    assert.deepEqual(
      { ...identity.user, claims: undefined },
      {
        id: 'user-7',
        email: 'seven@corp.example',
        name: 'Seven',
        groups: ['g1', 'Group One'],
        kind: 'user',
        claims: undefined,
      },
    );
    assert.equal(identity?.user.claims.sid !== undefined, true);
    assert.ok(identity?.credential.expiresAt instanceof Date);
  });

  test('accept an RS256 assertion verified with a PEM public key', async () => {
    const pem = rs.keys[0]!.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const identity = await auth({ publicKeys: [pem] }).authenticate(
      request(assertionHeaders(rs.mintAssertion({ sub: 'rsa-user' }))),
    );
    assert.equal(identity?.user.id, 'rsa-user');
  });

  test('accept an assertion signed with the key Pomerium derives from the shared secret', async () => {
    const derived = deriveSigningKey(es.sharedSecret);
    const signer = await importSigningKey(derived.privateKey, 'ES256', derived.kid);
    const token = es.mintAssertion({ sub: 'derived-user' }, { key: signer });
    const identity = await auth({
      sharedSecret: es.sharedSecret,
      deriveAssertionKey: true,
    }).authenticate(request(assertionHeaders(token)));
    assert.equal(identity?.user.id, 'derived-user');
  });

  test('derive that key from the decoded secret with sharedSecretEncoding legacy-raw too, as Pomerium does', async () => {
    // Pomerium derives its key (v0.33 on) from the decoded secret; legacy-raw is v0.8 to v0.13's HMAC key.
    const derived = deriveSigningKey(Buffer.from(es.sharedSecret, 'base64'));
    const signer = await importSigningKey(derived.privateKey, 'ES256', derived.kid);
    const token = es.mintAssertion({ sub: 'derived-user' }, { key: signer });
    const identity = await auth({
      sharedSecret: es.sharedSecret,
      sharedSecretEncoding: 'legacy-raw',
      deriveAssertionKey: true,
    }).authenticate(request(assertionHeaders(token)));
    assert.equal(identity?.user.id, 'derived-user');
  });

  test('accept the issuer as a host or as https://host/ (jwt_issuer_format uri)', async () => {
    const uri = await createTestIssuer({ host: ROUTE_HOST, issuerFormat: 'uri' });
    close.push(() => uri.close());
    const token = uri.mintAssertion({ sub: 'u' });
    assert.equal(
      (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { iss?: unknown })
        .iss,
      `https://${ROUTE_HOST}/`,
    );
    for (const configured of [ROUTE_HOST, `https://${ROUTE_HOST}/`, [`https://${ROUTE_HOST}`]]) {
      const identity = await auth({
        publicKeys: [uri.keys[0]!.publicJwk],
        issuer: configured,
      }).authenticate(request(assertionHeaders(token)));
      assert.equal(identity?.user.id, 'u');
    }
  });

  const refusals: Array<[string, (i: TestIssuer) => string, string]> = [
    [
      'refuse an assertion without exp',
      (i) => i.mintAssertion({ exp: undefined }),
      'missing_claim',
    ],
    [
      'refuse an expired assertion',
      (i) => i.mintAssertion({}, { now: now() - 600 }),
      'token_expired',
    ],
    [
      'refuse an assertion for another route (audience)',
      (i) => i.mintAssertion({ aud: 'other.localhost.pomerium.io' }),
      'audience_mismatch',
    ],
    [
      'refuse an assertion from another issuer',
      (i) => i.mintAssertion({ iss: 'evil.example.com' }),
      'issuer_mismatch',
    ],
    [
      'refuse an assertion without sub or user',
      (i) => i.mintAssertion({ sub: undefined, user: undefined }),
      'missing_claim',
    ],
    [
      'refuse an assertion whose groups is a string',
      (i) => i.mintAssertion({ groups: 'admins' as unknown as string[] }),
      'invalid_claim',
    ],
    [
      'refuse an assertion with a kid nobody knows',
      (i) => i.mintAssertion({}, { header: { kid: 'unknown' } }),
      'unknown_key',
    ],
    [
      'refuse HS256 signed with the public key as the secret (algorithm confusion)',
      (i) =>
        signJwt(
          { alg: 'HS256', kid: i.keys[0]!.kid },
          { sub: 'x', exp: now() + 60, iss: ROUTE_HOST, aud: ROUTE_HOST },
          Buffer.from(JSON.stringify(i.keys[0]!.publicJwk)),
        ),
      'algorithm_not_allowed',
    ],
    [
      'refuse alg none',
      (i) => signJwt({ alg: 'none', kid: i.keys[0]!.kid }, { sub: 'x', exp: now() + 60 }, null),
      'algorithm_not_allowed',
    ],
    [
      'refuse a second spelling of the signature (non-canonical base64url, the same bytes)',
      (i) => nonCanonical(i.mintAssertion({})),
      'malformed_token',
    ],
    [
      'refuse an exp that is a string (RFC 7519 NumericDate)',
      (i) => i.mintAssertion({ exp: String(now() + 60) as unknown as number }),
      'invalid_claim',
    ],
    [
      'refuse an empty aud array',
      (i) => i.mintAssertion({ aud: [] as unknown as string }),
      'invalid_claim',
    ],
    [
      'refuse an iss given as an array (RFC 7519: a single string)',
      (i) => i.mintAssertion({ iss: [ROUTE_HOST] as unknown as string }),
      'invalid_claim',
    ],
  ];
  for (const [description, mint, reason] of refusals) {
    test(description, async () => {
      const err = await failure(
        auth({ publicKeys: [es.keys[0]!.publicJwk] }).authenticate(
          request(assertionHeaders(mint(es))),
        ),
      );
      assert.equal(err.status, 401);
      assert.equal(err.reason, reason);
    });
  }

  test('refuse an assertion signed by a key named in its own jwk header', async () => {
    const attacker = await generateSigningKey('ES256', es.keys[0]!.kid);
    const token = es.mintAssertion(
      {},
      {
        key: attacker,
        header: { jwk: attacker.publicJwk, jku: 'https://evil.example.com/jwks.json' },
      },
    );
    const err = await failure(
      auth({ publicKeys: [es.keys[0]!.publicJwk] }).authenticate(request(assertionHeaders(token))),
    );
    assert.equal(err.reason, 'bad_signature');
  });

  test('ignore x5u and x5c: a key the token points at is never fetched or used', async () => {
    const attacker = await generateSigningKey('ES256', es.keys[0]!.kid);
    const header = { x5u: 'https://evil.example.com/cert.pem', x5c: ['MIIB'] };
    const keys = { publicKeys: [es.keys[0]!.publicJwk] };
    const refused = await failure(
      auth(keys).authenticate(
        request(assertionHeaders(es.mintAssertion({}, { key: attacker, header }))),
      ),
    );
    assert.equal(refused.reason, 'bad_signature');
    const accepted = await auth(keys).authenticate(
      request(assertionHeaders(es.mintAssertion({ sub: 'x5-user' }, { header }))),
    );
    assert.equal(accepted?.user.id, 'x5-user');
  });

  test('accept an aud array that names this route among others (RFC 7519 4.1.3)', async () => {
    const token = es.mintAssertion({
      sub: 'aud-user',
      aud: ['other.example.com', ROUTE_HOST] as unknown as string,
    });
    const identity = await auth({ publicKeys: [es.keys[0]!.publicJwk] }).authenticate(
      request(assertionHeaders(token)),
    );
    assert.equal(identity?.user.id, 'aud-user');
  });

  test('win over a service-account token sent alongside (Pomerium already verified the caller)', async () => {
    const sa = es.mintServiceAccountToken({ id: 'sa', userId: 'machine' });
    const identity = await auth({
      publicKeys: [es.keys[0]!.publicJwk],
      sharedSecret: es.sharedSecret,
    }).authenticate(
      request({
        ...assertionHeaders(es.mintAssertion({ sub: 'human' })),
        authorization: `Bearer Pomerium-${sa}`,
      }),
    );
    assert.equal(identity?.user.id, 'human');
    assert.equal(identity?.credential.source, 'assertion');
  });
});

describe('assertions with a remote key set', () => {
  test('are verified with keys fetched once and cached', async () => {
    const server = await serve(es);
    const a = auth({ jwksUrl: server.url });
    for (let i = 0; i < 5; i++)
      assert.equal(
        (await a.authenticate(request(assertionHeaders(es.mintAssertion({ sub: `u${i}` })))))?.user
          .id,
        `u${i}`,
      );
    assert.equal(server.requestCount, 1);
  });

  test('pick up a rotated key on its unknown kid, and refuse a removed key once refetched', async () => {
    const issuer = await makeIssuer();
    close.push(() => issuer.close());
    const server = await serve(issuer);
    const a = auth({ jwksUrl: server.url, jwks: { cooldown: 0 } });
    const oldKey = issuer.keys[0]!;
    assert.ok(await a.authenticate(request(assertionHeaders(issuer.mintAssertion()))));
    const newKey = await issuer.rotateKeys();
    assert.equal(
      (await a.authenticate(request(assertionHeaders(issuer.mintAssertion({}, { key: newKey })))))
        ?.user.id !== undefined,
      true,
    );
    assert.equal(server.requestCount, 2);
    issuer.removeKey(oldKey.kid);
    // Still cached: the old key works until the set is fetched again.
    assert.ok(
      await a.authenticate(request(assertionHeaders(issuer.mintAssertion({}, { key: oldKey })))),
    );
    // An unknown kid makes the set refetch; the old key is gone from it then.
    await failure(
      a.authenticate(
        request(assertionHeaders(issuer.mintAssertion({}, { header: { kid: 'nope' } }))),
      ),
    );
    const err = await failure(
      a.authenticate(request(assertionHeaders(issuer.mintAssertion({}, { key: oldKey })))),
    );
    assert.equal(err.reason, 'unknown_key');
  });

  test('refetch at most once per cooldown for random kids', async () => {
    const server = await serve(es);
    const a = auth({ jwksUrl: server.url, jwks: { cooldown: 60 } });
    await a.authenticate(request(assertionHeaders(es.mintAssertion())));
    for (let i = 0; i < 50; i++) {
      const err = await failure(
        a.authenticate(
          request(assertionHeaders(es.mintAssertion({}, { header: { kid: `random-${i}` } }))),
        ),
      );
      assert.equal(err.reason, 'unknown_key');
    }
    assert.equal(server.requestCount, 2);
  });

  test('answer 503 with Retry-After when the key server is down and no key was ever fetched', async () => {
    const server = await serve(es);
    server.fault('down');
    const err = await failure(
      auth({ jwksUrl: server.url }).authenticate(request(assertionHeaders(es.mintAssertion()))),
    );
    assert.equal(err.status, 503);
    assert.equal(err.error, 'temporarily_unavailable');
    assert.match(err.headers['Retry-After']!, /^\d+$/);
  });

  test('answer 503 when the key server is slower than the timeout', async () => {
    const server = await serve(es);
    server.fault('slow', { delayMs: 2000 });
    const err = await failure(
      auth({ jwksUrl: server.url, jwks: { timeout: 100 } }).authenticate(
        request(assertionHeaders(es.mintAssertion())),
      ),
    );
    assert.equal(err.status, 503);
  });

  test('answer 503 when the key server answers garbage', async () => {
    for (const mode of ['malformed', 'error'] as const) {
      const server = await serve(es);
      server.fault(mode);
      const err = await failure(
        auth({ jwksUrl: server.url }).authenticate(request(assertionHeaders(es.mintAssertion()))),
      );
      assert.equal(err.status, 503, mode);
    }
  });

  test('keep serving cached keys while the key server fails', async () => {
    const server = await es.serve({ maxAge: 0 });
    close.push(() => server.close());
    const a = auth({ jwksUrl: server.url, jwks: { maxAge: 0 } });
    assert.ok(await a.authenticate(request(assertionHeaders(es.mintAssertion()))));
    server.fault('down');
    for (let i = 0; i < 3; i++)
      assert.ok(await a.authenticate(request(assertionHeaders(es.mintAssertion()))));
  });
});

describe('assertions verified on the thread pool (assertionVerification: thread-pool)', () => {
  const threadPool = () =>
    auth({
      publicKeys: [es.keys[0]!.publicJwk, rs.keys[0]!.publicJwk],
      assertionVerification: 'thread-pool',
    });

  test('accept ES256 and RS256 assertions as the main thread does', async () => {
    assert.equal(
      (
        await threadPool().authenticate(
          request(assertionHeaders(es.mintAssertion({ sub: 'es-user' }))),
        )
      )?.user.id,
      'es-user',
    );
    assert.equal(
      (
        await threadPool().authenticate(
          request(assertionHeaders(rs.mintAssertion({ sub: 'rs-user' }))),
        )
      )?.user.id,
      'rs-user',
    );
  });

  const refusals: Array<[string, () => string, string]> = [
    [
      'refuse a signature by another key',
      () =>
        es
          .mintAssertion({}, { header: { kid: es.keys[0]!.kid }, key: undefined })
          .replace(/.{8}$/, 'AAAAAAAA'),
      'bad_signature',
    ],
    [
      'refuse an expired assertion after its signature',
      () => es.mintAssertion({}, { now: now() - 600 }),
      'token_expired',
    ],
    [
      'refuse alg none before any key work',
      () => signJwt({ alg: 'none', kid: es.keys[0]!.kid }, { sub: 'x', exp: now() + 60 }, null),
      'algorithm_not_allowed',
    ],
  ];
  for (const [description, mint, reason] of refusals) {
    test(description, async () => {
      assert.equal(
        (await failure(threadPool().authenticate(request(assertionHeaders(mint()))))).reason,
        reason,
      );
    });
  }

  test('concurrent assertions each get their own answer', async () => {
    const a = threadPool();
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        a.authenticate(
          request(
            assertionHeaders(
              i % 4 === 0
                ? `${es.mintAssertion({ sub: `u${i}` }).slice(0, -8)}AAAAAAAA`
                : es.mintAssertion({ sub: `u${i}` }),
            ),
          ),
        ),
      ),
    );
    results.forEach((r, i) => {
      if (i % 4 === 0) assert.equal(r.status, 'rejected');
      else assert.equal(r.status === 'fulfilled' && r.value?.user.id, `u${i}`);
    });
  });
});
