import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, hkdfSync, sign, verify } from 'node:crypto';
import { deriveSigningKey, jwkThumbprintHex } from '@pomerium-auth/core';

const SECRET = 'X/6+31jHCANkIbOajHMACNy+HmDreiXcDzRMRQepoVI=';

test('derives the private scalar from 40 bytes of HKDF-SHA256 as d = b mod (n - 1) + 1', () => {
  const key = deriveSigningKey(SECRET);
  const stream = hkdfSync(
    'sha256',
    Buffer.from(SECRET, 'base64'),
    Buffer.alloc(0),
    'derived-jwt-signing-key',
    40,
  );
  const n = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
  const d = (BigInt(`0x${Buffer.from(stream).toString('hex')}`) % (n - 1n)) + 1n;
  const jwk = key.privateKey.export({ format: 'jwk' });
  assert.equal(BigInt(`0x${Buffer.from(jwk.d!, 'base64url').toString('hex')}`), d);
});

test('is deterministic and differs between secrets', () => {
  assert.equal(deriveSigningKey(SECRET).kid, deriveSigningKey(Buffer.from(SECRET, 'base64')).kid);
  assert.notEqual(
    deriveSigningKey(SECRET).kid,
    deriveSigningKey(Buffer.alloc(32, 1).toString('base64')).kid,
  );
});

test('derives from the decoded secret whatever the encoding, as Pomerium does (legacy-raw is an HMAC key only)', () => {
  const decoded = deriveSigningKey(Buffer.from(SECRET, 'base64')).kid;
  for (const encoding of ['base64', 'legacy-raw'] as const)
    assert.equal(deriveSigningKey(SECRET, encoding).kid, decoded, encoding);
});

test('publishes the key as Pomerium does: use, kty, kid = hex thumbprint, crv, alg, x, y', () => {
  const { publicJwk, kid } = deriveSigningKey(SECRET);
  assert.deepEqual(Object.keys(publicJwk), ['use', 'kty', 'kid', 'crv', 'alg', 'x', 'y']);
  assert.match(kid, /^[0-9a-f]{64}$/);
  assert.equal(kid, jwkThumbprintHex(publicJwk));
});

test('gives a key pair whose public half verifies what the private half signs', () => {
  const { privateKey, publicJwk } = deriveSigningKey(SECRET);
  const signature = sign('sha256', Buffer.from('data'), {
    key: privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  assert.ok(
    verify(
      'sha256',
      Buffer.from('data'),
      { key: createPublicKey({ key: publicJwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' },
      signature,
    ),
  );
});

test('computes the RFC 7638 thumbprint of the RFC’s own example key', () => {
  // RFC 7638 section 3.1: base64url thumbprint NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs.
  const n =
    '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
  const hex = jwkThumbprintHex({ kty: 'RSA', n, e: 'AQAB' });
  assert.equal(
    Buffer.from(hex, 'hex').toString('base64url'),
    'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
  );
});
