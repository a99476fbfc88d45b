import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, createSecretKey, generateKeyPairSync, verify } from 'node:crypto';
import { signJwt, generateSigningKey, SIGNING_ALGORITHMS } from '@pomerium-auth/testing';

function parts(token: string): [string, string, string] {
  const [h, p, s] = token.split('.');
  assert.ok(h !== undefined && p !== undefined && s !== undefined && token.split('.').length === 3);
  return [h, p, s];
}
const decode = (segment: string): unknown =>
  JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));

test('signs ES256 with an r || s signature that node:crypto verifies', async () => {
  const key = await generateSigningKey('ES256');
  const token = signJwt({ alg: 'ES256', kid: key.kid }, { sub: 'alice' }, key.privateKey);
  const [h, p, s] = parts(token);
  const signature = Buffer.from(s, 'base64url');
  assert.equal(signature.length, 64);
  assert.ok(
    verify(
      'sha256',
      Buffer.from(`${h}.${p}`),
      { key: key.publicKey, dsaEncoding: 'ieee-p1363' },
      signature,
    ),
  );
  assert.deepEqual(decode(p), { sub: 'alice' });
});

test('signs RS256 that node:crypto verifies', async () => {
  const key = await generateSigningKey('RS256');
  const [h, p, s] = parts(signJwt({ alg: 'RS256' }, { sub: 'alice' }, key.privateKey));
  assert.ok(verify('sha256', Buffer.from(`${h}.${p}`), key.publicKey, Buffer.from(s, 'base64url')));
});

test('signs HS256 with raw bytes or a secret KeyObject', () => {
  const secret = Buffer.alloc(32, 7);
  const token = signJwt({ alg: 'HS256' }, { sub: 'bot' }, secret);
  const [h, p, s] = parts(token);
  assert.equal(s, createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url'));
  assert.equal(signJwt({ alg: 'HS256' }, { sub: 'bot' }, createSecretKey(secret)), token);
});

test('crafts attack tokens: alg none, empty signature, hostile header fields', async () => {
  const key = await generateSigningKey('ES256');
  const cases: Array<{
    name: string;
    header: Record<string, unknown>;
    key: Parameters<typeof signJwt>[2];
  }> = [
    { name: 'alg none', header: { alg: 'none', typ: 'JWT' }, key: null },
    { name: 'alg missing', header: { typ: 'JWT' }, key: null },
    { name: 'ES256 unsigned', header: { alg: 'ES256', kid: key.kid }, key: null },
    { name: 'embedded jwk', header: { alg: 'ES256', jwk: key.publicJwk }, key: key.privateKey },
    {
      name: 'jku',
      header: { alg: 'ES256', jku: 'https://evil.example/jwks.json' },
      key: key.privateKey,
    },
    { name: 'crit b64', header: { alg: 'ES256', crit: ['b64'], b64: false }, key: key.privateKey },
  ];
  for (const c of cases) {
    const [h, , s] = parts(signJwt(c.header, { sub: 'mallory' }, c.key));
    assert.deepEqual(decode(h), c.header, c.name);
    assert.equal(s === '', c.key === null, c.name);
  }
});

test('uses string payloads and headers as the exact bytes', () => {
  const payload = '{"sub":"a","sub":"b"}';
  const header = '{"alg":"none","alg":"HS256"}';
  const [h, p] = parts(signJwt(header, payload, Buffer.from('k')));
  assert.equal(Buffer.from(p, 'base64url').toString(), payload);
  assert.equal(Buffer.from(h, 'base64url').toString(), header);
});

test('signs with signingAlg when the header lies about the algorithm', async () => {
  const key = await generateSigningKey('RS256');
  const [h, p, s] = parts(
    signJwt({ alg: 'none' }, { sub: 'mallory' }, key.privateKey, { signingAlg: 'RS256' }),
  );
  assert.deepEqual(decode(h), { alg: 'none' });
  assert.ok(verify('sha256', Buffer.from(`${h}.${p}`), key.publicKey, Buffer.from(s, 'base64url')));
});

test('signs the algorithm-confusion token: HS256 keyed with the public key PEM', async () => {
  const key = await generateSigningKey('RS256');
  const pem = Buffer.from(key.publicKey.export({ format: 'pem', type: 'spki' }));
  const [h, p, s] = parts(signJwt({ alg: 'HS256', kid: key.kid }, { sub: 'mallory' }, pem));
  assert.equal(s, createHmac('sha256', pem).update(`${h}.${p}`).digest('base64url'));
});

test('refuses to sign with an alg it does not know, or an asymmetric alg without a private key', async () => {
  const key = await generateSigningKey('ES256');
  assert.throws(() => signJwt({ alg: 'none' }, {}, Buffer.from('k')), TypeError);
  assert.throws(() => signJwt({ alg: 'ES256' }, {}, key.publicKey), TypeError);
  assert.throws(() => signJwt({ alg: 'ES256' }, {}, Buffer.from('k')), TypeError);
});

test('signs every listed algorithm', () => {
  const ec = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' } as const;
  for (const alg of SIGNING_ALGORITHMS) {
    let key;
    if (alg.startsWith('HS')) key = Buffer.alloc(64, 1);
    else if (alg in ec)
      key = generateKeyPairSync('ec', { namedCurve: ec[alg as keyof typeof ec] }).privateKey;
    else if (alg === 'EdDSA') key = generateKeyPairSync('ed25519').privateKey;
    else key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    assert.notEqual(parts(signJwt({ alg }, {}, key))[2], '', alg);
  }
});
