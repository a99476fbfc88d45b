import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { JsonWebKey } from 'node:crypto';
import { join } from 'node:path';
import {
  createPomeriumAuth,
  deriveSigningKey,
  type PomeriumAuthOptions,
} from '@pomerium-auth/core';
import {
  assertionHeaders,
  createTestIssuer,
  serviceAccountHeaders,
  SERVICE_ACCOUNT_SCHEMES,
} from '@pomerium-auth/testing';
import { claimsOf, headerOf, pomeriumAuth, tempDir } from './run-binary.js';

const issuer = await createTestIssuer();
const secret = issuer.sharedSecret;
const tmp = tempDir();
after(() => tmp.remove());

/** Verifies a token with the core, as an application would. */
async function coreVerify(
  token: string,
  options: PomeriumAuthOptions = {},
  scheme: (typeof SERVICE_ACCOUNT_SCHEMES)[number] = 'authorization-bearer-pomerium',
) {
  const auth = createPomeriumAuth({ sharedSecret: secret, env: false, audit: false, ...options });
  return auth.authenticate({
    method: 'GET',
    url: '/',
    headers: serviceAccountHeaders(token, scheme),
  });
}

async function mint(
  args: string[],
  env: Record<string, string> = { POMERIUM_SHARED_SECRET: secret },
  input?: string,
): Promise<string> {
  const result = await pomeriumAuth(['mint', ...args], {
    env,
    ...(input !== undefined ? { input } : {}),
  });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, '');
  return result.stdout.trim();
}

test('the historic single-dash pomerium-cli flags round-trip into the claims the core verifies', async () => {
  const token = await mint([
    '-aud',
    'httpbin.int.pomerium.io,prometheus.int.pomerium.io',
    '-aud',
    'grafana.int.pomerium.io',
    '-email',
    'bob@pomerium.io',
    '-groups',
    'admins@pomerium.io,users@pomerium.io',
    '-iss',
    'authenticate.int.pomerium.io',
    '-sub',
    'bob',
    '-user',
    'bob',
    '-expiry',
    '30m',
  ]);
  assert.deepEqual(headerOf(token), { alg: 'HS256' });
  const claims = claimsOf(token);
  assert.deepEqual(Object.keys(claims), [
    'iss',
    'sub',
    'aud',
    'exp',
    'nbf',
    'iat',
    'email',
    'groups',
    'user',
  ]);
  assert.deepEqual(claims.aud, [
    'httpbin.int.pomerium.io',
    'prometheus.int.pomerium.io',
    'grafana.int.pomerium.io',
  ]);
  assert.deepEqual(claims.groups, ['admins@pomerium.io', 'users@pomerium.io']);
  assert.equal((claims.exp as number) - (claims.iat as number), 1800);
  const identity = await coreVerify(token, {
    issuer: 'authenticate.int.pomerium.io',
    audience: 'grafana.int.pomerium.io',
  });
  assert.equal(identity?.user.id, 'bob');
  assert.equal(identity?.user.email, 'bob@pomerium.io');
  assert.deepEqual(identity?.user.groups, ['admins@pomerium.io', 'users@pomerium.io']);
});

test('double-dash and -name=value spellings mint the same claims as single-dash ones', async () => {
  const single = claimsOf(
    await mint([
      '-aud',
      'a.example',
      '-email',
      'e@x.example',
      '-sub',
      's',
      '-impersonate_email',
      'i@x.example',
      '-impersonate_groups',
      'g1,g2',
    ]),
  );
  const double = claimsOf(
    await mint([
      '--aud=a.example',
      '--email',
      'e@x.example',
      '--sub=s',
      '--impersonate-email',
      'i@x.example',
      '--impersonate_groups',
      'g1',
      '--impersonate_groups',
      'g2',
    ]),
  );
  for (const c of [single, double]) for (const k of ['exp', 'nbf', 'iat']) delete c[k];
  assert.deepEqual(double, single);
  assert.deepEqual(single, {
    sub: 's',
    aud: ['a.example'],
    email: 'e@x.example',
    impersonate_email: 'i@x.example',
    impersonate_groups: ['g1', 'g2'],
  });
});

for (const [expiry, seconds] of [
  [undefined, 3600],
  ['1h0m0s', 3600],
  ['90s', 90],
  ['1.5h', 5400],
  ['2h45m', 9900],
] as const) {
  test(`-expiry ${expiry ?? '(default)'} gives a lifetime of ${seconds} seconds`, async () => {
    const claims = claimsOf(await mint(['-sub', 'bob', ...(expiry ? ['-expiry', expiry] : [])]));
    assert.equal((claims.exp as number) - (claims.iat as number), seconds);
  });
}

test("--id mints today's format, which the core verifies as a service account", async () => {
  const token = await mint(['--id', 'sa-1', '--sub', 'user-1']);
  assert.deepEqual(headerOf(token), { alg: 'HS256', typ: 'JWT' });
  const claims = claimsOf(token);
  assert.deepEqual(Object.keys(claims).sort(), ['iat', 'jti', 'nbf', 'sub']);
  assert.equal(claims.jti, 'sa-1');
  const identity = await coreVerify(token);
  assert.equal(identity?.user.id, 'user-1');
  assert.equal(identity?.user.kind, 'service-account');
  assert.equal(identity?.user.serviceAccountId, 'sa-1');
  assert.equal(identity?.credential.expiresAt, undefined);
});

test("today's format takes an optional --expiry", async () => {
  const claims = claimsOf(await mint(['--id', 'sa-1', '--user', 'user-1', '--expiry', '24h']));
  assert.equal((claims.exp as number) - (claims.iat as number), 86_400);
});

test('minted tokens of both formats verify in the core in each of the three header schemes', async () => {
  const tokens = [
    await mint(['-sub', 'bob', '-user', 'bob']),
    await mint(['--id', 'sa-2', '--sub', 'carol']),
  ];
  for (const token of tokens) {
    for (const scheme of SERVICE_ACCOUNT_SCHEMES) {
      const identity = await coreVerify(token, {}, scheme);
      assert.equal(identity?.credential.source, scheme);
    }
  }
});

const secretSources: Array<[string, string[], Record<string, string>, string | undefined]> = [
  ['POMERIUM_SHARED_KEY', [], { POMERIUM_SHARED_KEY: secret }, undefined],
  ['POMERIUM_SHARED_SECRET', [], { POMERIUM_SHARED_SECRET: secret }, undefined],
  ['the argument', [secret], {}, undefined],
  [
    'the argument over the environment',
    [secret],
    { POMERIUM_SHARED_SECRET: 'bm90IHRoZSBzZWNyZXQgd2UgdXNlIGhlcmUh' },
    undefined,
  ],
  ['a pipe on standard input', [], {}, `${secret}\n`],
  ['standard input named by -', ['-'], {}, secret],
];
for (const [name, args, env, input] of secretSources) {
  test(`the shared secret is read from ${name}`, async () => {
    const token = await mint(['--id', 'sa-1', '--sub', 'u', ...args], env, input);
    assert.equal((await coreVerify(token))?.user.id, 'u');
  });
}

test('--legacy-raw signs with the base64 text itself, which only the legacy-raw option verifies', async () => {
  const token = await mint(['-sub', 'old', '--legacy-raw']);
  assert.equal((await coreVerify(token, { sharedSecretEncoding: 'legacy-raw' }))?.user.id, 'old');
  await assert.rejects(coreVerify(token), { reason: 'bad_signature' });
});

test('mint assertion signs with a key file, and the core verifies it with the public key', async () => {
  for (const alg of ['ES256', 'RS256']) {
    const dir = join(tmp.dir, alg);
    assert.equal((await pomeriumAuth(['keygen', '--alg', alg, '--out', dir])).code, 0);
    const token = await mint(
      [
        'assertion',
        '--key',
        join(dir, 'signing-key.pem'),
        '--aud',
        'app.example.com',
        '--sub',
        'alice',
        '--email',
        'alice@example.com',
        '--groups',
        'admins,staff',
      ],
      {},
    );
    const header = headerOf(token);
    assert.equal(header.alg, alg);
    const claims = claimsOf(token);
    assert.equal(claims.iss, 'app.example.com');
    assert.equal((claims.exp as number) - (claims.iat as number), 300);
    const jwks = JSON.parse(readFileSync(join(dir, 'jwks.json'), 'utf8')) as { keys: JsonWebKey[] };
    assert.equal(header.kid, jwks.keys[0]!.kid);
    const auth = createPomeriumAuth({
      publicKeys: jwks.keys,
      audience: 'app.example.com',
      env: false,
      audit: false,
    });
    const identity = await auth.authenticate({
      method: 'GET',
      url: '/',
      headers: assertionHeaders(token),
    });
    assert.equal(identity?.user.id, 'alice');
    assert.deepEqual(identity?.user.groups, ['admins', 'staff']);
  }
});

test('mint assertion --derive-from-shared-secret signs as Pomerium without a signing_key, and deriveAssertionKey verifies it', async () => {
  const token = await mint(
    ['assertion', '--derive-from-shared-secret', '--aud', 'app.example.com', '--sub', 'alice'],
    {},
    secret,
  );
  assert.equal(headerOf(token).kid, deriveSigningKey(secret).kid);
  const auth = createPomeriumAuth({
    sharedSecret: secret,
    deriveAssertionKey: true,
    audience: 'app.example.com',
    env: false,
    audit: false,
  });
  const identity = await auth.authenticate({
    method: 'GET',
    url: '/',
    headers: assertionHeaders(token),
  });
  assert.equal(identity?.credential.source, 'assertion');
  assert.equal(identity?.user.id, 'alice');
});

const usageErrors: Array<[string, string[], Record<string, string>, RegExp]> = [
  ['no shared secret anywhere', ['mint', '-sub', 'bob'], {}, /no shared secret/],
  [
    'a shared secret that is not base64',
    ['mint', '-sub', 'bob', 'not base64!'],
    {},
    /^pomerium-auth: the shared secret \(argument\): is not base64/,
  ],
  [
    'an unknown flag',
    ['mint', '-audience', 'x'],
    { POMERIUM_SHARED_SECRET: secret },
    /unknown flag -audience/,
  ],
  [
    'a duration without a unit',
    ['mint', '-expiry', '3600'],
    { POMERIUM_SHARED_SECRET: secret },
    /-expiry: invalid duration "3600"/,
  ],
  [
    "historic claims in today's format",
    ['mint', '--id', 'sa', '--sub', 'u', '-email', 'e@x'],
    { POMERIUM_SHARED_SECRET: secret },
    /has no -email/,
  ],
  [
    'an assertion without a key',
    ['mint', 'assertion', '--aud', 'a', '--sub', 's'],
    {},
    /exactly one of --key/,
  ],
  [
    'a key file that does not exist',
    ['mint', 'assertion', '--key', 'nope.pem', '--aud', 'a', '--sub', 's'],
    {},
    /cannot read signing key nope.pem: ENOENT/,
  ],
];
for (const [name, args, env, message] of usageErrors) {
  test(`mint refuses ${name} with exit code 2 and a message on stderr`, async () => {
    const result = await pomeriumAuth(args, { env, cwd: tmp.dir });
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, message);
  });
}

/** A header line as printed (`Name: value`), as the request headers core reads. */
function headersOfLine(output: string): Record<string, string> {
  const lines = output.trimEnd().split('\n');
  assert.equal(lines.length, 1, output);
  const [, name, value] = /^([A-Za-z-]+): (.+)$/.exec(lines[0]!) ?? [];
  assert.ok(name && value, output);
  return { [name.toLowerCase()]: value };
}

const printedSchemes: Array<[string, string[], RegExp]> = [
  ['x-pomerium-authorization', [], /^X-Pomerium-Authorization: eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/],
  ['authorization-pomerium', [], /^Authorization: Pomerium eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/],
  [
    'authorization-bearer-pomerium',
    [],
    /^Authorization: Bearer Pomerium-eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/,
  ],
  ['cookie', [], /^Cookie: _pomerium=eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/],
  ['cookie', ['--cookie-name', 'svc_session'], /^Cookie: svc_session=eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/],
];
for (const [scheme, extra, line] of printedSchemes) {
  test(`mint --scheme ${scheme} ${extra.join(' ')} prints the header line, and core reads the token from it as ${scheme}`, async () => {
    for (const format of [
      ['--id', 'sa-1', '--sub', 'bot'],
      ['-sub', 'bot'],
    ]) {
      const result = await pomeriumAuth(['mint', ...format, '--scheme', scheme, ...extra], {
        env: { POMERIUM_SHARED_SECRET: secret },
      });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, line);
      const auth = createPomeriumAuth({
        sharedSecret: secret,
        sources: ['service-account', 'cookie'],
        ...(extra.length > 0 ? { cookieName: extra[1]! } : {}),
        env: false,
        audit: false,
      });
      const identity = await auth.authenticate({
        method: 'GET',
        url: '/',
        headers: headersOfLine(result.stdout),
      });
      assert.equal(identity?.credential.source, scheme);
      assert.equal(identity?.user.id, 'bot');
    }
  });
}

test('mint assertion --scheme prints the assertion, the bearer assertion or the assertion-for header, each read by core as such', async () => {
  const dir = join(tmp.dir, 'schemes');
  assert.equal((await pomeriumAuth(['keygen', '--out', dir])).code, 0);
  const key = join(dir, 'signing-key.pem');
  const jwks = JSON.parse(readFileSync(join(dir, 'jwks.json'), 'utf8')) as { keys: JsonWebKey[] };
  const assertion = (aud: string, sub: string, scheme: string) =>
    mint(['assertion', '--key', key, '--aud', aud, '--sub', sub, '--scheme', scheme], {});
  const auth = createPomeriumAuth({
    publicKeys: jwks.keys,
    audience: 'app.example.com',
    sources: ['assertion', 'bearer-assertion'],
    assertionFor: true,
    env: false,
    audit: false,
  });
  const sent = await assertion('app.example.com', 'alice', 'assertion');
  assert.match(sent, /^X-Pomerium-Jwt-Assertion: eyJ/);
  const bearer = await assertion('app.example.com', 'alice', 'authorization-bearer-assertion');
  assert.match(bearer, /^Authorization: Bearer eyJ/);
  // Minted for the first route of the chain: its own host as audience, not this app's.
  const onBehalf = await assertion('portal.example.com', 'carol', 'assertion-for');
  assert.match(onBehalf, /^X-Pomerium-Jwt-Assertion-For: eyJ/);

  const viaHeader = await auth.authenticate({
    method: 'GET',
    url: '/',
    headers: headersOfLine(sent),
  });
  assert.equal(viaHeader?.credential.source, 'assertion');
  const viaBearer = await auth.authenticate({
    method: 'GET',
    url: '/',
    headers: headersOfLine(bearer),
  });
  assert.equal(viaBearer?.credential.source, 'authorization-bearer-assertion');
  const chained = await auth.authenticate({
    method: 'GET',
    url: '/',
    headers: { ...headersOfLine(sent), ...headersOfLine(onBehalf) },
  });
  assert.equal(chained?.user.id, 'alice');
  assert.equal(chained?.onBehalfOf?.id, 'carol');
});

const printUsage: Array<[string, string[], RegExp]> = [
  [
    'an assertion scheme for a service-account token',
    ['mint', '--id', 'sa', '--sub', 'u', '--scheme', 'assertion'],
    /--scheme must be one of x-pomerium-authorization, authorization-pomerium, authorization-bearer-pomerium, cookie\n/,
  ],
  [
    'a service-account scheme for an assertion',
    ['mint', 'assertion', '--key', 'k.pem', '--aud', 'a', '--sub', 's', '--scheme', 'cookie'],
    /--scheme must be one of assertion, authorization-bearer-assertion, assertion-for\n/,
  ],
  [
    'a cookie name without the cookie scheme',
    ['mint', '--id', 'sa', '--sub', 'u', '--cookie-name', 'sess'],
    /--cookie-name goes with --scheme cookie/,
  ],
  [
    'a cookie name that cannot be one',
    ['mint', '--id', 'sa', '--sub', 'u', '--scheme', 'cookie', '--cookie-name', 'a=b'],
    /--cookie-name "a=b" is not a cookie name/,
  ],
];
for (const [name, args, message] of printUsage) {
  test(`mint refuses ${name} before reading any secret (exit 2)`, async () => {
    const result = await pomeriumAuth(args, { env: { POMERIUM_SHARED_SECRET: secret } });
    assert.equal(result.code, 2, result.stdout);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, message);
  });
}
