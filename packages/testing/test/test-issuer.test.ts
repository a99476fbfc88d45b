import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, verify } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import { createTestIssuer, generateSigningKey, DEFAULT_TEST_USER } from '@pomerium-auth/testing';

function decode(token: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
} {
  const [h, p, s] = token.split('.') as [string, string, string];
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>,
    signingInput: `${h}.${p}`,
    signature: Buffer.from(s, 'base64url'),
  };
}

test("mints an assertion with exactly Pomerium's claim set and header", async () => {
  const issuer = await createTestIssuer();
  const token = issuer.mintAssertion({}, { now: 1_700_000_000 });
  const { header, payload } = decode(token);
  const key = issuer.keys[0]!;
  assert.deepEqual(header, { alg: 'ES256', kid: key.kid, typ: 'JWT' });
  assert.deepEqual(Object.keys(payload).sort(), [
    'aud',
    'email',
    'exp',
    'groups',
    'iat',
    'iss',
    'jti',
    'name',
    'sid',
    'sub',
    'user',
  ]);
  assert.equal(payload.iss, 'app.localhost.pomerium.io');
  assert.equal(payload.aud, 'app.localhost.pomerium.io');
  assert.equal(payload.iat, 1_700_000_000);
  assert.equal(payload.exp, 1_700_000_300);
  assert.equal(payload.sub, DEFAULT_TEST_USER.id);
  assert.equal(payload.user, DEFAULT_TEST_USER.id);
  assert.deepEqual(payload.groups, []);
  assert.match(
    payload.jti as string,
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
  assert.notEqual(decode(issuer.mintAssertion()).payload.jti, payload.jti);
});

test('ES256 and RS256 assertions verify with node:crypto and the published JWK', async () => {
  for (const alg of ['ES256', 'RS256'] as const) {
    const issuer = await createTestIssuer({ alg });
    const { header, signingInput, signature } = decode(issuer.mintAssertion({ sub: 'alice' }));
    const jwk = issuer.jwks().keys.find((k) => k.kid === header.kid);
    assert.ok(jwk, alg);
    const key = { key: jwk as JsonWebKey, format: 'jwk' as const };
    const ok =
      alg === 'ES256'
        ? verify(
            'sha256',
            Buffer.from(signingInput),
            { ...key, dsaEncoding: 'ieee-p1363' },
            signature,
          )
        : verify('sha256', Buffer.from(signingInput), key, signature);
    assert.ok(ok, alg);
  }
});

test('claims override defaults, naming sub names user, extra claims are added and undefined drops one', async () => {
  const issuer = await createTestIssuer();
  const { payload } = decode(
    issuer.mintAssertion({
      sub: 'alice',
      email: 'alice@corp.example',
      groups: ['admins'],
      exp: undefined,
      department: 'ops',
    }),
  );
  assert.equal(payload.sub, 'alice');
  assert.equal(payload.user, 'alice');
  assert.equal(payload.email, 'alice@corp.example');
  assert.deepEqual(payload.groups, ['admins']);
  assert.equal(payload.department, 'ops');
  assert.equal('exp' in payload, false);
  assert.equal(decode(issuer.mintAssertion({}, { lifetime: 60, now: 10 })).payload.exp, 70);
});

test('writes claims in sorted key order, as Go encodes a map', async () => {
  const issuer = await createTestIssuer();
  const { payload } = decode(issuer.mintAssertion({ zeta: 1, alpha: 2 }));
  const names = Object.keys(payload);
  assert.deepEqual(names, [...names].sort());
});

test('uses the uri issuer format and a custom host', async () => {
  const issuer = await createTestIssuer({ host: 'api.example.com', issuerFormat: 'uri' });
  assert.equal(issuer.issuer, 'https://api.example.com/');
  assert.equal(issuer.audience, 'api.example.com');
  const { payload } = decode(issuer.mintAssertion());
  assert.equal(payload.iss, 'https://api.example.com/');
  assert.equal(payload.aud, 'api.example.com');
});

test("a forged header is sent as given while the signature stays the key's own", async () => {
  const issuer = await createTestIssuer();
  const { header, signingInput, signature } = decode(
    issuer.mintAssertion(
      {},
      { header: { alg: 'none', kid: undefined, jku: 'https://evil.example' } },
    ),
  );
  assert.deepEqual(header, { alg: 'none', jku: 'https://evil.example', typ: 'JWT' });
  assert.ok(
    verify(
      'sha256',
      Buffer.from(signingInput),
      { key: issuer.keys[0]!.publicKey, dsaEncoding: 'ieee-p1363' },
      signature,
    ),
  );
});

test('signs with another key when asked', async () => {
  const issuer = await createTestIssuer();
  const stranger = await generateSigningKey('ES256');
  assert.equal(decode(issuer.mintAssertion({}, { key: stranger })).header.kid, stranger.kid);
  assert.equal(
    issuer.jwks().keys.some((k) => k.kid === stranger.kid),
    false,
  );
});

test('generates a base64 shared secret of 32 bytes, or takes the one given', async () => {
  const random = await createTestIssuer();
  assert.equal(random.sharedSecretBytes.length, 32);
  assert.equal(random.sharedSecret, random.sharedSecretBytes.toString('base64'));
  const given = await createTestIssuer({
    sharedSecret: 'X/6+31jHCANkIbOajHMACNy+HmDreiXcDzRMRQepoVI=',
  });
  assert.deepEqual(
    given.sharedSecretBytes,
    Buffer.from('X/6+31jHCANkIbOajHMACNy+HmDreiXcDzRMRQepoVI=', 'base64'),
  );
  await assert.rejects(createTestIssuer({ sharedSecret: 'not base64!' }), TypeError);
});

test("mints today's service-account token: HS256 over the decoded secret, jti/sub/iat/nbf, exp only with an expiry", async () => {
  const issuer = await createTestIssuer();
  const token = issuer.mintServiceAccountToken({
    id: 'sa-1',
    userId: 'user-7',
    issuedAt: new Date(1_700_000_000_000),
  });
  const { header, payload, signingInput, signature } = decode(token);
  assert.equal(
    Buffer.from(token.split('.')[0]!, 'base64url').toString(),
    '{"alg":"HS256","typ":"JWT"}',
  );
  assert.deepEqual(header, { alg: 'HS256', typ: 'JWT' });
  assert.deepEqual(payload, { iat: 1_700_000_000, jti: 'sa-1', nbf: 1_700_000_000, sub: 'user-7' });
  assert.deepEqual(
    signature,
    createHmac('sha256', issuer.sharedSecretBytes).update(signingInput).digest(),
  );

  const expiring = decode(
    issuer.mintServiceAccountToken({ id: 'sa-2', userId: 'u', issuedAt: 100, expiresAt: 200 }),
  ).payload;
  assert.equal(expiring.exp, 200);
  const other = Buffer.alloc(32, 3);
  const signedElsewhere = decode(
    issuer.mintServiceAccountToken({ id: 'sa-3', userId: 'u', secret: other }),
  );
  assert.deepEqual(
    signedElsewhere.signature,
    createHmac('sha256', other).update(signedElsewhere.signingInput).digest(),
  );
});

test('mints a legacy pomerium-cli token whose payload matches the documented example', async () => {
  const sharedSecret = 'X/6+31jHCANkIbOajHMACNy+HmDreiXcDzRMRQepoVI=';
  const issuer = await createTestIssuer({ sharedSecret });
  const options = {
    iss: 'authenticate.int.pomerium.io',
    aud: 'httpbin.int.pomerium.io',
    sub: 'bob',
    user: 'bob',
    email: 'bob@pomerium.io',
    now: 1586839079,
  };
  const documented =
    '{"iss":"authenticate.int.pomerium.io","sub":"bob","aud":["httpbin.int.pomerium.io"],"exp":1586842679,"nbf":1586839079,"iat":1586839079,"email":"bob@pomerium.io","user":"bob"}';
  for (const encoding of ['base64', 'legacy-raw'] as const) {
    const token = issuer.mintLegacyServiceAccountToken({ ...options, encoding });
    const [h, p] = token.split('.') as [string, string];
    assert.equal(Buffer.from(h, 'base64url').toString(), '{"alg":"HS256"}');
    assert.equal(Buffer.from(p, 'base64url').toString(), documented);
    const key =
      encoding === 'legacy-raw'
        ? Buffer.from(sharedSecret, 'ascii')
        : Buffer.from(sharedSecret, 'base64');
    assert.deepEqual(
      decode(token).signature,
      createHmac('sha256', key).update(`${h}.${p}`).digest(),
      encoding,
    );
  }
});

test("legacy tokens carry groups and impersonation claims, and default to the issuer's host and user", async () => {
  const issuer = await createTestIssuer();
  const { payload } = decode(
    issuer.mintLegacyServiceAccountToken({
      groups: ['admins'],
      impersonate_email: 'eve@corp.example',
      impersonate_groups: ['support'],
      expiry: 60,
      now: 1000,
    }),
  );
  assert.deepEqual(payload, {
    sub: DEFAULT_TEST_USER.id,
    aud: [issuer.host],
    exp: 1060,
    nbf: 1000,
    iat: 1000,
    email: DEFAULT_TEST_USER.email,
    groups: ['admins'],
    user: DEFAULT_TEST_USER.id,
    impersonate_email: 'eve@corp.example',
    impersonate_groups: ['support'],
  });
  assert.equal(
    'email' in decode(issuer.mintLegacyServiceAccountToken({ email: undefined })).payload,
    false,
  );
});

test('rotates keys: the new key signs first, the old one stays published until removed', async () => {
  const issuer = await createTestIssuer();
  const old = issuer.keys[0]!;
  const fresh = await issuer.rotateKeys();
  assert.deepEqual(
    issuer.keys.map((k) => k.kid),
    [fresh.kid, old.kid],
  );
  assert.deepEqual(
    issuer.jwks().keys.map((k) => k.kid),
    [fresh.kid, old.kid],
  );
  assert.equal(decode(issuer.mintAssertion()).header.kid, fresh.kid);
  assert.equal(issuer.removeKey(old.kid), true);
  assert.equal(issuer.removeKey(old.kid), false);
  assert.deepEqual(
    issuer.jwks().keys.map((k) => k.kid),
    [fresh.kid],
  );
  issuer.removeKey(fresh.kid);
  assert.throws(() => issuer.mintAssertion());
});

test('publishes public JWKs only, each with kid, alg and use', async () => {
  const issuer = await createTestIssuer({ alg: 'RS256' });
  for (const jwk of issuer.jwks().keys) {
    assert.equal(jwk.use, 'sig');
    assert.equal(jwk.alg, 'RS256');
    assert.equal(typeof jwk.kid, 'string');
    assert.equal(jwk.d, undefined);
  }
});
