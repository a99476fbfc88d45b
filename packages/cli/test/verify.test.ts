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
  assertionForHeaders,
  assertionHeaders,
  bearerAssertionHeaders,
  cookieHeaders,
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
    await createPomeriumAuth({
      ...options,
      env: false,
      audit: false,
      // The CLI prints its own note on a missing audience; the core's start-up warning is not this test's.
      logger: { warn: () => undefined },
    }).authenticate(request);
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

test('a JSON --config gives serviceAccounts and namespaces as records, and verify applies both', async () => {
  const json = join(tmp.dir, 'namespaces.json');
  writeFileSync(
    json,
    JSON.stringify({
      sharedSecret: secret,
      namespace: 'ns-team',
      serviceAccounts: {
        records: [
          { id: 'sa-root', user_id: 'bot', namespace_id: 'root' },
          { id: 'sa-other', user_id: 'bot', namespace_id: 'ns-other' },
        ],
      },
      namespaces: {
        records: [
          { id: 'root' },
          { id: 'ns-team', parent_id: 'root' },
          { id: 'ns-other', parent_id: 'root' },
        ],
      },
    }),
  );
  for (const [id, code, line] of [
    ['sa-root', 0, /^valid {4}service-account token/],
    ['sa-other', 1, /^invalid {2}invalid_token \(401\): namespace_mismatch/],
  ] as const) {
    const token = issuer.mintServiceAccountToken({ id, userId: 'bot' });
    const result = await pomeriumAuth(['verify', '--config', json, token]);
    assert.equal(result.code, code, result.stdout + result.stderr);
    assert.match(result.stdout, line);
  }
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
  ['an unknown scheme', ['verify', '--scheme', 'query', 'x.y.z'], /--scheme must be one of/],
  [
    'a configuration file that does not exist',
    ['verify', '--config', 'missing.json', 'x.y.z'],
    /cannot read missing.json: ENOENT/,
  ],
  [
    'a JWKS URL over plain http to another host',
    ['verify', '--jwks-url', 'http://example.com/jwks.json', 'x.y.z'],
    /^pomerium-auth: the JWKS URL \(--jwks-url\): must be https/,
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

// The channels a request carries identity in, given as the request carries them (--header) or as
// a token argument placed by --scheme: verify must decide exactly as core does on that request.
const jwksFile = join(tmp.dir, 'channels-jwks.json');
writeFileSync(jwksFile, JSON.stringify(issuer.jwks()));
const alice = issuer.mintAssertion({ sub: 'alice', email: 'alice@example.com' });
const carol = issuer.mintAssertion({
  sub: 'carol',
  email: 'carol@example.com',
  aud: 'portal.example.com',
});
const forgedCarol = issuer.mintAssertion({ sub: 'carol' }, { key: forger });
const bot = issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' });
const otherBot = issuer.mintServiceAccountToken({ id: 'sa-2', userId: 'bot2' });

/** The decision in the shape verify --json reports it. */
type Decision =
  | { valid: true; source: string; user: string; onBehalfOf?: string }
  | { valid: false; error: string; reason: string; detail?: string };

async function coreDecision(
  options: PomeriumAuthOptions,
  headers: AuthRequest['headers'],
  rawHeaders?: string[],
): Promise<Decision> {
  const auth = createPomeriumAuth({ ...options, env: false, audit: false, cache: false });
  try {
    const identity = await auth.authenticate({
      method: 'GET',
      url: '/',
      headers,
      ...(rawHeaders ? { rawHeaders } : {}),
    });
    assert.ok(identity);
    return {
      valid: true,
      source: identity.credential.source,
      user: identity.user.id,
      ...(identity.onBehalfOf ? { onBehalfOf: identity.onBehalfOf.id } : {}),
    };
  } catch (err) {
    assert.ok(isPomeriumAuthError(err), String(err));
    return {
      valid: false,
      error: err.error,
      reason: err.reason,
      ...(err.detail !== undefined ? { detail: err.detail } : {}),
    };
  }
}

function cliDecision(stdout: string): Decision {
  const body = JSON.parse(stdout) as {
    valid: boolean;
    source: string;
    user?: { id: string };
    onBehalfOf?: { id: string };
    error: string;
    reason: string;
    detail?: string;
  };
  if (body.valid)
    return {
      valid: true,
      source: body.source,
      user: body.user!.id,
      ...(body.onBehalfOf ? { onBehalfOf: body.onBehalfOf.id } : {}),
    };
  return {
    valid: false,
    error: body.error,
    reason: body.reason,
    ...(body.detail !== undefined ? { detail: body.detail } : {}),
  };
}

const assertionKeys = { publicKeys: issuer.jwks().keys as never, audience: aud };
// name, verify's arguments, core's options and the request core sees, what decides
const channels: Array<
  [string, string[], PomeriumAuthOptions, AuthRequest['headers'], string | RegExp]
> = [
  [
    'an assertion as Authorization: Bearer, with the bearer-assertion source',
    ['--source', 'bearer-assertion', '--header', `Authorization: Bearer ${alice}`],
    { ...assertionKeys, sources: ['bearer-assertion'] },
    bearerAssertionHeaders(alice),
    'authorization-bearer-assertion',
  ],
  [
    'an assertion as Authorization: Bearer, without it',
    ['--header', `Authorization: Bearer ${alice}`],
    assertionKeys,
    bearerAssertionHeaders(alice),
    /no_credentials/,
  ],
  [
    'an assertion argument with --scheme authorization-bearer-assertion',
    ['--source', 'assertion,bearer-assertion', '--scheme', 'authorization-bearer-assertion', alice],
    { ...assertionKeys, sources: ['assertion', 'bearer-assertion'] },
    bearerAssertionHeaders(alice),
    'authorization-bearer-assertion',
  ],
  [
    'an assertion argument when --source reads only the bearer form',
    ['--source', 'bearer-assertion', alice],
    { ...assertionKeys, sources: ['bearer-assertion'] },
    bearerAssertionHeaders(alice),
    'authorization-bearer-assertion',
  ],
  [
    'a service-account token in the _pomerium cookie, among others',
    [
      '--shared-secret',
      secret,
      '--source',
      'service-account,cookie',
      '--header',
      `Cookie: theme=dark; _pomerium=${bot}`,
    ],
    { sharedSecret: secret, sources: ['service-account', 'cookie'] },
    { cookie: `theme=dark; _pomerium=${bot}` },
    'cookie',
  ],
  [
    'a cookie named by --cookie-name',
    [
      '--shared-secret',
      secret,
      '--source',
      'cookie',
      '--cookie-name',
      'sess',
      '--header',
      `Cookie: sess=${bot}`,
    ],
    { sharedSecret: secret, sources: ['cookie'], cookieName: 'sess' },
    cookieHeaders(bot, 'sess'),
    'cookie',
  ],
  [
    'a token argument with --scheme cookie',
    ['--shared-secret', secret, '--source', 'cookie', '--scheme', 'cookie', bot],
    { sharedSecret: secret, sources: ['cookie'] },
    cookieHeaders(bot),
    'cookie',
  ],
  [
    'the _pomerium cookie when the cookie source is off',
    ['--shared-secret', secret, '--header', `Cookie: _pomerium=${bot}`],
    { sharedSecret: secret },
    cookieHeaders(bot),
    /no_credentials/,
  ],
  [
    'a service-account header and the cookie with different tokens',
    [
      '--shared-secret',
      secret,
      '--source',
      'service-account,cookie',
      '--header',
      `Cookie: _pomerium=${otherBot}`,
      bot,
    ],
    { sharedSecret: secret, sources: ['service-account', 'cookie'] },
    { ...cookieHeaders(otherBot), ...serviceAccountHeaders(bot) },
    /ambiguous_credentials/,
  ],
  [
    'a service-account header and the cookie with the same token',
    [
      '--shared-secret',
      secret,
      '--source',
      'service-account,cookie',
      '--header',
      `Cookie: _pomerium=${bot}`,
      bot,
    ],
    { sharedSecret: secret, sources: ['service-account', 'cookie'] },
    { ...cookieHeaders(bot), ...serviceAccountHeaders(bot) },
    'authorization-bearer-pomerium',
  ],
  [
    'x-pomerium-jwt-assertion-for minted for the first route, with --assertion-for',
    ['--assertion-for', '--header', `X-Pomerium-Jwt-Assertion-For: ${carol}`, alice],
    { ...assertionKeys, assertionFor: true },
    { ...assertionHeaders(alice), ...assertionForHeaders(carol) },
    'assertion',
  ],
  [
    'a forged x-pomerium-jwt-assertion-for',
    ['--assertion-for', '--header', `x-pomerium-jwt-assertion-for: ${forgedCarol}`, alice],
    { ...assertionKeys, assertionFor: true },
    { ...assertionHeaders(alice), ...assertionForHeaders(forgedCarol) },
    /bad_signature/,
  ],
  [
    'a service-account token as x-pomerium-jwt-assertion-for',
    ['--assertion-for', '--header', `x-pomerium-jwt-assertion-for: ${bot}`, alice],
    { ...assertionKeys, assertionFor: true },
    { ...assertionHeaders(alice), ...assertionForHeaders(bot) },
    /algorithm_not_allowed/,
  ],
  [
    'a claim header that contradicts the assertion, with --claim-headers verify',
    ['--claim-headers', 'verify', '--header', 'X-Pomerium-Claim-Email: mallory@example.com', alice],
    { ...assertionKeys, claimHeaders: 'verify' },
    { ...assertionHeaders(alice), 'x-pomerium-claim-email': 'mallory@example.com' },
    /claim_header_mismatch/,
  ],
  [
    'a claim header that matches it',
    ['--claim-headers', 'verify', '--header', 'X-Pomerium-Claim-Email: alice@example.com', alice],
    { ...assertionKeys, claimHeaders: 'verify' },
    { ...assertionHeaders(alice), 'x-pomerium-claim-email': 'alice@example.com' },
    'assertion',
  ],
];

for (const [name, args, options, headers, decides] of channels) {
  test(`verify decides as core on ${name}`, async () => {
    const expected = await coreDecision(options, headers);
    if (typeof decides === 'string') {
      assert.ok(expected.valid, JSON.stringify(expected));
      assert.equal(expected.source, decides);
    } else {
      assert.ok(!expected.valid);
      assert.match(expected.reason, decides);
    }
    const keyArgs = 'publicKeys' in options ? ['--public-key', jwksFile, '--audience', aud] : [];
    const result = await pomeriumAuth(['verify', '--json', ...keyArgs, ...args]);
    assert.equal(result.code, expected.valid ? 0 : 1, result.stdout + result.stderr);
    assert.deepEqual(cliDecision(result.stdout), expected);
  });
}

test('the same channels are read from the options file the application uses', async () => {
  const config = join(tmp.dir, 'channels.json');
  writeFileSync(
    config,
    JSON.stringify({
      ...assertionKeys,
      sharedSecret: secret,
      sources: ['assertion', 'cookie'],
      cookieName: 'sess',
      assertionFor: true,
    }),
  );
  const cookie = await pomeriumAuth([
    'verify',
    '--json',
    '--config',
    config,
    '--header',
    `Cookie: sess=${bot}`,
  ]);
  assert.deepEqual(cliDecision(cookie.stdout), { valid: true, source: 'cookie', user: 'bot' });
  const chained = await pomeriumAuth([
    'verify',
    '--json',
    '--config',
    config,
    '--header',
    `x-pomerium-jwt-assertion-for: ${carol}`,
    alice,
  ]);
  assert.deepEqual(cliDecision(chained.stdout), {
    valid: true,
    source: 'assertion',
    user: 'alice',
    onBehalfOf: 'carol',
  });
});

test('a credential header sent twice with different values is refused as core refuses it', async () => {
  const expected = await coreDecision(
    { sharedSecret: secret },
    { authorization: [`Pomerium ${bot}`, `Pomerium ${otherBot}`] },
    ['Authorization', `Pomerium ${bot}`, 'Authorization', `Pomerium ${otherBot}`],
  );
  assert.equal(expected.valid, false);
  const result = await pomeriumAuth([
    'verify',
    '--json',
    '--shared-secret',
    secret,
    '--header',
    `Authorization: Pomerium ${bot}`,
    '--header',
    `Authorization: Pomerium ${otherBot}`,
  ]);
  assert.equal(result.code, 1, result.stderr);
  assert.deepEqual(cliDecision(result.stdout), expected);
});

test('verify names the source it read and the user on whose behalf, and says when a channel is off', async () => {
  const cookie = await pomeriumAuth([
    'verify',
    '--shared-secret',
    secret,
    '--source',
    'cookie',
    '--header',
    `Cookie: _pomerium=${bot}`,
  ]);
  assert.equal(cookie.code, 0, cookie.stderr);
  assert.match(cookie.stdout, /^valid {4}service-account token \(cookie\)\n {2}user +bot\n/);

  const chained = await pomeriumAuth([
    'verify',
    '--public-key',
    jwksFile,
    '--audience',
    aud,
    '--assertion-for',
    '--header',
    `x-pomerium-jwt-assertion-for: ${carol}`,
    alice,
  ]);
  assert.equal(chained.code, 0, chained.stderr);
  assert.match(
    chained.stdout,
    /^valid {4}assertion\n {2}user +alice <alice@example.com>\n {2}on behalf of +carol <carol@example.com>\n/,
  );

  const notRead = await pomeriumAuth([
    'verify',
    '--public-key',
    jwksFile,
    '--audience',
    aud,
    '--header',
    `x-pomerium-jwt-assertion-for: ${carol}`,
    alice,
  ]);
  assert.equal(notRead.code, 0);
  assert.doesNotMatch(notRead.stdout, /on behalf of/);
  assert.match(
    notRead.stdout,
    /note +x-pomerium-jwt-assertion-for was not read: verifying it needs --assertion-for\n/,
  );

  for (const [header, hint] of [
    [
      `Authorization: Bearer ${alice}`,
      /hint +an assertion as Authorization: Bearer is read only with --source bearer-assertion\n/,
    ],
    [
      `Cookie: _pomerium=${bot}`,
      /hint +a service-account token in a cookie is read only with --source cookie/,
    ],
  ] as const) {
    const off = await pomeriumAuth([
      'verify',
      '--shared-secret',
      secret,
      '--public-key',
      jwksFile,
      '--audience',
      aud,
      '--header',
      header,
    ]);
    assert.equal(off.code, 1);
    assert.match(off.stdout, /^invalid {2}credentials_required \(401\): no_credentials\n/);
    assert.match(off.stdout, hint);
  }
});

test('standard input is not read when a --header carries the credential', async () => {
  const result = await pomeriumAuth(
    ['verify', '--shared-secret', secret, '--header', `X-Pomerium-Authorization: ${bot}`],
    { input: 'not-a-token\n' },
  );
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /service-account token \(x-pomerium-authorization\)/);
});

const requestUsage: Array<[string, string[], RegExp]> = [
  [
    'a token argument whose header a --header gives too',
    [
      'verify',
      '--shared-secret',
      secret,
      '--header',
      'Authorization: Pomerium x',
      '--scheme',
      'authorization-pomerium',
      'y.y.y',
    ],
    /the token argument goes in the authorization header \(--scheme authorization-pomerium\), which a --header gives too/,
  ],
  [
    '--scheme without a token argument',
    ['verify', '--shared-secret', secret, '--scheme', 'cookie', '--header', 'Cookie: _pomerium=x'],
    /--scheme says where the token argument goes: give a token/,
  ],
  [
    '--scheme assertion-for (not a credential)',
    ['verify', '--scheme', 'assertion-for', 'x'],
    /--scheme must be one of/,
  ],
  [
    'a header line without a colon',
    ['verify', '--shared-secret', secret, '--header', 'Cookie _pomerium=x'],
    /--header must read "name: value"/,
  ],
  [
    'an unknown claim headers mode',
    ['verify', '--shared-secret', secret, '--claim-headers', 'check', 'x'],
    /--claim-headers must be verify, strip or ignore/,
  ],
];
for (const [name, args, message] of requestUsage) {
  test(`verify exits 2 for ${name}`, async () => {
    const result = await pomeriumAuth(args, { cwd: tmp.dir });
    assert.equal(result.code, 2, result.stdout);
    assert.match(result.stderr, message);
  });
}
