import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { generateSigningKey, importSigningKey } from '@pomerium-auth/testing';

function thumbprintHex(jwk: Record<string, unknown>): string {
  const members =
    jwk.kty === 'EC'
      ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
      : { e: jwk.e, kty: jwk.kty, n: jwk.n };
  return createHash('sha256').update(JSON.stringify(members)).digest('hex');
}

for (const alg of ['ES256', 'RS256'] as const) {
  test(`generates an ${alg} key named by its hex RFC 7638 thumbprint`, async () => {
    const key = await generateSigningKey(alg);
    assert.equal(key.alg, alg);
    assert.match(key.kid, /^[0-9a-f]{64}$/);
    assert.equal(key.kid, thumbprintHex(key.publicJwk as Record<string, unknown>));
    assert.equal(key.publicJwk.kid, key.kid);
    assert.equal(key.publicJwk.alg, alg);
    assert.equal(key.publicJwk.use, 'sig');
    assert.equal(key.publicJwk.d, undefined, 'the published JWK holds no private part');
    assert.equal(key.privateKey.type, 'private');
    assert.equal(key.publicKey.type, 'public');
  });
}

test('takes a given kid', async () => {
  assert.equal((await generateSigningKey('ES256', 'k1')).kid, 'k1');
});

test('imports PEM, base64 PEM (Pomerium signing_key), private JWK and KeyObject alike', async () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const pem = privateKey.export({ format: 'pem', type: 'sec1' }).toString();
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'from-jwk' };
  const fromPem = await importSigningKey(pem);
  const fromBase64 = await importSigningKey(Buffer.from(pem).toString('base64'));
  const fromKeyObject = await importSigningKey(privateKey, 'ES256');
  const fromJwk = await importSigningKey(jwk);
  assert.equal(fromPem.alg, 'ES256');
  assert.equal(fromBase64.kid, fromPem.kid);
  assert.equal(fromKeyObject.kid, fromPem.kid);
  assert.equal(fromJwk.kid, 'from-jwk');
  const rsa = await importSigningKey(
    generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
  );
  assert.equal(rsa.alg, 'RS256');
});

test('refuses keys that are not ES256 or RS256 private keys, or that contradict alg', async () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  await assert.rejects(importSigningKey(ec.privateKey, 'RS256'), TypeError);
  await assert.rejects(importSigningKey(ec.publicKey), TypeError);
  await assert.rejects(
    importSigningKey(generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey),
    TypeError,
  );
  await assert.rejects(importSigningKey(generateKeyPairSync('ed25519').privateKey), TypeError);
  await assert.rejects(importSigningKey('not a key'), TypeError);
  await assert.rejects(importSigningKey({ kty: 'EC', crv: 'P-256', x: 'a', y: 'b' }), TypeError);
});
