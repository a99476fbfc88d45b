import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { deriveSigningKey, jwkThumbprintHex } from '@pomerium-auth/core';
import { pomeriumAuth, tempDir } from './run-binary.js';

const tmp = tempDir();
after(() => tmp.remove());

// Pomerium's own example secret and one of random bytes.
for (const secret of [
  'X/6+31jHCANkIbOajHMACNy+HmDreiXcDzRMRQepoVI=',
  'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I=',
]) {
  test(`jwks --derive-from-shared-secret prints exactly the key set the core derives (${secret.slice(0, 6)}…)`, async () => {
    const result = await pomeriumAuth(['jwks', '--derive-from-shared-secret', '--compact'], {
      env: { POMERIUM_SHARED_SECRET: secret },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      `${JSON.stringify({ keys: [deriveSigningKey(secret).publicJwk] })}\n`,
    );
    const fromStdin = await pomeriumAuth(['jwks', '--derive-from-shared-secret'], {
      input: secret,
    });
    assert.deepEqual(JSON.parse(fromStdin.stdout), { keys: [deriveSigningKey(secret).publicJwk] });
  });
}

// keygen gives the derived pair too (SPEC §9): the private key Pomerium signs with when it has no
// signing_key, so a test can mint the assertions such a Pomerium would, from a file.
for (const [how, args, io] of [
  ['an argument', ['X/6+31jHCANkIbOajHMACNy+HmDreiXcDzRMRQepoVI='], {}],
  [
    'POMERIUM_SHARED_SECRET',
    [],
    { env: { POMERIUM_SHARED_SECRET: 'X/6+31jHCANkIbOajHMACNy+HmDreiXcDzRMRQepoVI=' } },
  ],
  ['standard input', ['-'], { input: 'X/6+31jHCANkIbOajHMACNy+HmDreiXcDzRMRQepoVI=' }],
] as const) {
  test(`keygen --derive-from-shared-secret (secret from ${how}) prints the pair the core derives`, async () => {
    const derived = deriveSigningKey('X/6+31jHCANkIbOajHMACNy+HmDreiXcDzRMRQepoVI=');
    const result = await pomeriumAuth(['keygen', '--derive-from-shared-secret', ...args], io);
    assert.equal(result.code, 0, result.stderr);
    const pem = derived.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    assert.ok(result.stdout.startsWith(pem), result.stdout);
    assert.deepEqual(JSON.parse(result.stdout.slice(pem.length)), derived.publicJwk);
  });
}

test('keygen --derive-from-shared-secret --out writes the derived pair, and refuses what does not apply to it', async () => {
  const secret = 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I=';
  const dir = join(tmp.dir, 'derived');
  const result = await pomeriumAuth([
    'keygen',
    '--derive-from-shared-secret',
    '--out',
    dir,
    secret,
  ]);
  assert.equal(result.code, 0, result.stderr);
  const listed = await pomeriumAuth(['jwks', '--compact', join(dir, 'signing-key.pem')]);
  assert.equal(
    listed.stdout,
    `${JSON.stringify({ keys: [deriveSigningKey(secret).publicJwk] })}\n`,
  );
  for (const [argv, message] of [
    [['keygen', '--derive-from-shared-secret', '--alg', 'RS256', secret], /is ES256/],
    [['keygen', '--derive-from-shared-secret', '--kid', 'k1', secret], /--kid does not apply/],
    [['keygen', '--derive-from-shared-secret', 'YWJj'], /decodes to 3 bytes/],
    [['keygen', '--legacy-raw'], /--derive-from-shared-secret/],
  ] as const) {
    const refused = await pomeriumAuth([...argv]);
    assert.equal(refused.code, 2, argv.join(' '));
    assert.match(refused.stderr, message);
  }
});

test('keygen prints a private key PEM and the public JWK named by its hex thumbprint', async () => {
  for (const alg of ['ES256', 'RS256']) {
    const result = await pomeriumAuth(['keygen', '--alg', alg]);
    assert.equal(result.code, 0, result.stderr);
    const pem = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n/.exec(
      result.stdout,
    )?.[0];
    assert.ok(pem, result.stdout);
    const jwk = JSON.parse(result.stdout.slice(pem.length)) as JsonWebKey & {
      kid: string;
      alg: string;
      use: string;
    };
    assert.equal(jwk.alg, alg);
    assert.equal(jwk.use, 'sig');
    assert.equal(jwk.d, undefined);
    const publicFromPem = createPublicKey(pem).export({ format: 'jwk' });
    assert.equal(jwk.kid, jwkThumbprintHex(publicFromPem));
    assert.equal(jwk.x ?? jwk.n, publicFromPem.x ?? publicFromPem.n);
  }
});

test('keygen --out writes the private key (mode 600) and its key set, and jwks of the key file gives the same set', async () => {
  const dir = join(tmp.dir, 'keys');
  const result = await pomeriumAuth(['keygen', '--out', dir]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(statSync(join(dir, 'signing-key.pem')).mode & 0o777, 0o600);
  const written = JSON.parse(readFileSync(join(dir, 'jwks.json'), 'utf8')) as unknown;
  const listed = await pomeriumAuth(['jwks', join(dir, 'signing-key.pem'), join(dir, 'jwks.json')]);
  assert.equal(listed.code, 0, listed.stderr);
  const set = JSON.parse(listed.stdout) as { keys: unknown[] };
  assert.deepEqual(set.keys[0], (written as { keys: unknown[] }).keys[0]);
  assert.deepEqual(set.keys[1], set.keys[0]);

  const again = await pomeriumAuth(['keygen', '--out', dir]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already holds a key; pass --force/);
});

test('jwks refuses key types Pomerium does not sign with', async () => {
  const { generateKeyPairSync } = await import('node:crypto');
  const file = join(tmp.dir, 'ed25519.pem');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(
    file,
    generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }),
  );
  const result = await pomeriumAuth(['jwks', file]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /EC P-256 \(ES256\) or RSA \(RS256\) keys, not ed25519/);
});

const commands = ['mint', 'mint assertion', 'verify', 'keygen', 'jwks', 'explain'];
for (const command of commands) {
  for (const flag of ['--help', '-h', '-help']) {
    test(`pomerium-auth ${command} ${flag} prints its usage and exits 0`, async () => {
      const result = await pomeriumAuth([...command.split(' '), flag]);
      assert.equal(result.code, 0);
      assert.match(result.stdout, new RegExp(`^Usage: pomerium-auth ${command}`));
      assert.equal(result.stderr, '');
    });
  }
}

test('pomerium-auth --help lists every command; no command at all is a usage error', async () => {
  const help = await pomeriumAuth(['--help']);
  assert.equal(help.code, 0);
  for (const command of commands) assert.match(help.stdout, new RegExp(`\\n {2}${command} `));
  const none = await pomeriumAuth([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /Usage: pomerium-auth <command>/);
});

test('an unknown command is a usage error that points to --help', async () => {
  const result = await pomeriumAuth(['sign']);
  assert.equal(result.code, 2);
  assert.equal(
    result.stderr,
    'pomerium-auth: unknown command "sign"\nrun "pomerium-auth --help" for the commands\n',
  );
});
