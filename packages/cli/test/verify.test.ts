import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createPomeriumAuth,
  isPomeriumAuthError,
  type AuthRequest,
  type PomeriumAuthOptions,
} from '@pomerium-auth/core';
import {
  assertionHeaders,
  createTestIssuer,
  generateSigningKey,
  serviceAccountHeaders,
  type JwksServer,
} from '@pomerium-auth/testing';
import { pomeriumAuth, tempDir } from './run-binary.js';

const issuer = await createTestIssuer();
const other = await createTestIssuer({ host: 'other.localhost.pomerium.io' });
const secret = issuer.sharedSecret;
const aud = issuer.audience;
const now = Math.floor(Date.now() / 1000);
const tmp = tempDir();
let keys: JwksServer;

before(async () => {
  keys = await issuer.serve();
});
after(async () => {
  await issuer.close();
  tmp.remove();
});

/** The line `verify` must print for a refused token: the core's own error, formatted. */
async function coreRefusal(options: PomeriumAuthOptions, request: AuthRequest): Promise<string> {
  try {
    await createPomeriumAuth({ ...options, env: false, audit: false }).authenticate(request);
  } catch (err) {
    assert.ok(isPomeriumAuthError(err));
    return `invalid  ${err.error} (${err.status}): ${err.reason}${err.detail !== undefined ? ` — ${err.detail}` : ''}`;
  }
  assert.fail('the core accepted the token');
}

test('a valid service-account token verifies with exit code 0', async () => {
  const token = issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' });
  const result = await pomeriumAuth(['verify', '--shared-secret', secret, token]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stdout,
    /^valid {4}service-account token \(authorization-bearer-pomerium\)\n/,
  );
  assert.match(result.stdout, /user {5}bot\n/);
  assert.match(result.stdout, /account {2}sa-1\n/);
});

const forger = await generateSigningKey('ES256', issuer.keys[0]!.kid);
const refusals: Array<[string, string, string[], PomeriumAuthOptions, RegExp]> = [
  [
    'an expired token',
    issuer.mintLegacyServiceAccountToken({ sub: 'bob', now: 1586839079, expiry: 3600 }),
    ['--shared-secret', secret],
    { sharedSecret: secret },
    /token_expired — expired at 1586842679$/,
  ],
  [
    'a token signed with another secret',
    other.mintServiceAccountToken({ id: 'sa', userId: 'u' }),
    ['--shared-secret', secret],
    { sharedSecret: secret },
    /bad_signature/,
  ],
  [
    'a token for another audience',
    issuer.mintLegacyServiceAccountToken({ sub: 'bob', aud: 'other.example.com' }),
    ['--shared-secret', secret, '--audience', aud],
    { sharedSecret: secret, audience: aud },
    /audience_mismatch/,
  ],
  [
    'a forged assertion (same kid, another key)',
    issuer.mintAssertion({ sub: 'mallory' }, { key: forger }),
    ['--shared-secret', secret, '--derive-assertion-key', '--public-key', 'PLACEHOLDER'],
    {},
    /bad_signature/,
  ],
  [
    'an expired assertion',
    issuer.mintAssertion({ sub: 'alice' }, { now: now - 3600 }),
    ['--public-key', 'PLACEHOLDER', '--audience', aud],
    { audience: aud },
    /token_expired/,
  ],
  [
    'an assertion for another route',
    other.mintAssertion({ sub: 'alice' }, { key: issuer.keys[0]! }),
    ['--public-key', 'PLACEHOLDER', '--audience', aud],
    { audience: aud },
    /audience_mismatch/,
  ],
];

for (const [name, token, flags, options, reason] of refusals) {
  test(`verify prints the core's exact code, status, reason and detail for ${name}, and exits 1`, async () => {
    const keyFile = join(tmp.dir, 'jwks.json');
    writeFileSync(keyFile, JSON.stringify(issuer.jwks()));
    const args = flags.map((f) => (f === 'PLACEHOLDER' ? keyFile : f));
    const asymmetric = flags.includes('--public-key');
    const coreOptions = asymmetric
      ? { ...options, publicKeys: issuer.jwks().keys as never }
      : options;
    const request = {
      method: 'GET',
      url: '/',
      headers: asymmetric ? assertionHeaders(token) : serviceAccountHeaders(token),
    };
    const expected = await coreRefusal(coreOptions, request);
    assert.match(expected, reason);
    const result = await pomeriumAuth(['verify', ...args, token]);
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stdout.split('\n')[0], expected);
  });
}

test('--json prints the decision as a JSON object', async () => {
  const token = issuer.mintLegacyServiceAccountToken({ sub: 'bob', now: 1586839079 });
  const result = await pomeriumAuth(['verify', '--json', '--shared-secret', secret, token]);
  assert.equal(result.code, 1);
  const body = JSON.parse(result.stdout) as Record<string, unknown>;
  assert.equal(body.valid, false);
  assert.equal(body.error, 'invalid_token');
  assert.equal(body.status, 401);
  assert.equal(body.reason, 'token_expired');
  assert.equal(body.detail, 'expired at 1586842679');
  assert.equal((body.audit as Array<{ event: string }>)[0]?.event, 'authentication_failed');

  const ok = await pomeriumAuth([
    'verify',
    '--json',
    '--shared-secret',
    secret,
    issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' }),
  ]);
  assert.equal(ok.code, 0);
  const valid = JSON.parse(ok.stdout) as {
    valid: boolean;
    source: string;
    user: { id: string; serviceAccountId: string };
  };
  assert.equal(valid.valid, true);
  assert.equal(valid.source, 'authorization-bearer-pomerium');
  assert.equal(valid.user.id, 'bot');
  assert.equal(valid.user.serviceAccountId, 'sa-1');
});

test('an assertion verifies against a JWKS URL, sent in the assertion header by default', async () => {
  const token = issuer.mintAssertion({
    sub: 'alice',
    email: 'alice@example.com',
    groups: ['admins'],
  });
  const result = await pomeriumAuth([
    'verify',
    '--jwks-url',
    keys.url,
    '--issuer',
    issuer.issuer,
    '--audience',
    aud,
    token,
  ]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(
    result.stdout,
    /^valid {4}assertion\n {2}user {5}alice <alice@example.com> {2}groups admins\n/,
  );
});

test('--scheme puts the token in the header named, and the core reports which one it came in', async () => {
  const token = issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' });
  for (const scheme of [
    'x-pomerium-authorization',
    'authorization-pomerium',
    'authorization-bearer-pomerium',
  ]) {
    const result = await pomeriumAuth([
      'verify',
      '--json',
      '--scheme',
      scheme,
      '--shared-secret',
      secret,
      token,
    ]);
    assert.equal((JSON.parse(result.stdout) as { source: string }).source, scheme);
  }
});

test('options come from POMERIUM_* variables, and POMERIUM_SHARED_KEY is read as the shared secret', async () => {
  const token = issuer.mintLegacyServiceAccountToken({ sub: 'bob', aud: 'other.example.com' });
  const viaEnv = await pomeriumAuth(['verify', token], {
    env: { POMERIUM_SHARED_SECRET: secret, POMERIUM_AUDIENCE: aud },
  });
  assert.equal(viaEnv.code, 1);
  assert.match(viaEnv.stdout, /audience_mismatch/);
  const viaKey = await pomeriumAuth(['verify', token], { env: { POMERIUM_SHARED_KEY: secret } });
  assert.equal(viaKey.code, 0, viaKey.stdout + viaKey.stderr);
});

test('--config reads the options object an application uses, from JSON or from a module', async () => {
  const token = issuer.mintLegacyServiceAccountToken({ sub: 'bob', aud: 'other.example.com' });
  const json = join(tmp.dir, 'options.json');
  writeFileSync(json, JSON.stringify({ sharedSecret: secret, audience: aud }));
  const mjs = join(tmp.dir, 'options.mjs');
  writeFileSync(
    mjs,
    `export default { sharedSecret: ${JSON.stringify(secret)}, audience: ${JSON.stringify(aud)} };\n`,
  );
  for (const file of [json, mjs]) {
    const result = await pomeriumAuth(['verify', '--config', file, token]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /audience_mismatch/);
  }
  // Flags win over the file.
  const flagged = await pomeriumAuth([
    'verify',
    '--config',
    json,
    '--audience',
    'other.example.com',
    token,
  ]);
  assert.equal(flagged.code, 0, flagged.stdout + flagged.stderr);
});

test('impersonation headers go through the rules of the configuration', async () => {
  const config = join(tmp.dir, 'grants.json');
  writeFileSync(
    config,
    JSON.stringify({
      sharedSecret: secret,
      impersonation: { grants: [{ name: 'support', initiators: ['admin'], targets: ['user_*'] }] },
    }),
  );
  const token = issuer.mintServiceAccountToken({ id: 'sa', userId: 'admin' });
  const granted = await pomeriumAuth([
    'verify',
    '--config',
    config,
    '--header',
    'impersonate-user: user_1',
    token,
  ]);
  assert.equal(granted.code, 0, granted.stdout + granted.stderr);
  assert.match(
    granted.stdout,
    /impersonating\n {2}user +user_1\n {2}initiator +admin\n {2}via +header, grant "support"\n/,
  );
  const denied = await pomeriumAuth([
    'verify',
    '--config',
    config,
    '--header',
    'impersonate-user: root',
    token,
  ]);
  assert.equal(denied.code, 1);
  assert.match(
    denied.stdout,
    /^invalid {2}impersonation_denied \(403\): not_allowed — no grant lets admin act as root\n/,
  );
});

test('the token can come from standard input', async () => {
  const token = issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' });
  const result = await pomeriumAuth(['verify', '--shared-secret', secret], { input: `${token}\n` });
  assert.equal(result.code, 0, result.stderr);
});

const usage: Array<[string, string[], RegExp]> = [
  ['no configuration at all', ['verify', 'x.y.z'], /nothing to verify with/],
  ['an unknown scheme', ['verify', '--scheme', 'cookie', 'x.y.z'], /--scheme must be one of/],
  [
    'a configuration file that does not exist',
    ['verify', '--config', 'missing.json', 'x.y.z'],
    /cannot read missing.json: ENOENT/,
  ],
  [
    'a JWKS URL over plain http to another host',
    ['verify', '--jwks-url', 'http://example.com/jwks.json', 'x.y.z'],
    /option "jwksUrl": must be https/,
  ],
  ['no token on standard input', ['verify', '--shared-secret', secret], /no token/],
];
for (const [name, args, message] of usage) {
  test(`verify exits 2 for ${name}`, async () => {
    const result = await pomeriumAuth(args, { cwd: tmp.dir });
    assert.equal(result.code, 2, result.stdout);
    assert.match(result.stderr, message);
  });
}
