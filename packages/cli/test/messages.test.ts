import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestIssuer } from '@pomerium-auth/testing';
import { pomeriumAuth, tempDir } from './run-binary.js';

// Every configuration error names the value where the user put it: the flag, the environment
// variable, the argument, standard input, or the file and the path inside it. Core's own option
// names (sharedSecret, jwksUrl, ...) appear only for what the user wrote in an options file.

const issuer = await createTestIssuer();
const secret = issuer.sharedSecret;
const token = issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' });
const short = 'c2hvcnQ='; // base64 of 5 bytes
const tmp = tempDir();
after(async () => {
  await issuer.close();
  tmp.remove();
});

const write = (name: string, text: string): string => {
  writeFileSync(join(tmp.dir, name), text);
  return name;
};
write('bad-secret.json', JSON.stringify({ sharedSecret: 'not base64!' }));
write('bad-grants.json', JSON.stringify({ impersonation: { grants: [{ initiators: ['a'] }] } }));
write(
  'bad-policy.json',
  JSON.stringify({ policy: { allow: { or: [{ groups: { hass: 'x' } }] } } }),
);
write('empty-url.json', JSON.stringify({ sharedSecret: secret, directory: { url: '' } }));
write('missing-records.json', JSON.stringify({ directory: { url: 'users.csv' } }));
write('route-grants.json', JSON.stringify([{ name: 'oncall', initiators: ['bob'] }]));
write('typo.yaml', '- allow:\n    or:\n      - emial: a@example.com\n');
write('broken.yaml', 'allow:\n  or:\n    - user: a\n   - user: b\n');

// command line, environment, standard input, what stderr must say
const cases: Array<[string[], Record<string, string>, string | undefined, RegExp]> = [
  [
    ['mint', '--id', 'sa', '--sub', 'u', 'not base64!'],
    {},
    undefined,
    /^pomerium-auth: the shared secret \(argument\): is not base64/,
  ],
  [
    ['mint', '--id', 'sa', '--sub', 'u'],
    { POMERIUM_SHARED_KEY: short },
    undefined,
    /^pomerium-auth: the shared secret \(POMERIUM_SHARED_KEY\): decodes to 5 bytes/,
  ],
  [
    ['mint', '-sub', 'u'],
    { POMERIUM_SHARED_SECRET: short },
    undefined,
    /^pomerium-auth: the shared secret \(POMERIUM_SHARED_SECRET\): decodes to 5 bytes/,
  ],
  [
    ['mint', '--id', 'sa', '--sub', 'u', '-'],
    {},
    short,
    /^pomerium-auth: the shared secret \(standard input\): decodes to 5 bytes/,
  ],
  [
    ['mint', 'assertion', '--derive-from-shared-secret', '--aud', 'a.example', '--sub', 's'],
    { POMERIUM_SHARED_KEY: short },
    undefined,
    /^pomerium-auth: the shared secret \(POMERIUM_SHARED_KEY\): decodes to 5 bytes/,
  ],
  [
    ['jwks', '--derive-from-shared-secret', 'not base64!'],
    {},
    undefined,
    /^pomerium-auth: the shared secret \(argument\): is not base64/,
  ],
  [
    ['verify', '--shared-secret', 'not base64!', token],
    {},
    undefined,
    /^pomerium-auth: the shared secret \(--shared-secret\): is not base64/,
  ],
  [
    ['verify', token],
    { POMERIUM_SHARED_KEY: short },
    undefined,
    /^pomerium-auth: the shared secret \(POMERIUM_SHARED_KEY\): decodes to 5 bytes/,
  ],
  [
    ['verify', token],
    { POMERIUM_SHARED_SECRET: `${secret},${short}` },
    undefined,
    /^pomerium-auth: the shared secret \(POMERIUM_SHARED_SECRET\), value 2: decodes to 5 bytes/,
  ],
  [
    ['verify', '--jwks-url', 'http://example.com/jwks.json', token],
    {},
    undefined,
    /^pomerium-auth: the JWKS URL \(--jwks-url\): must be https/,
  ],
  [
    ['verify', token],
    { POMERIUM_JWKS_URL: 'http://example.com/jwks.json' },
    undefined,
    /^pomerium-auth: the JWKS URL \(POMERIUM_JWKS_URL\): must be https/,
  ],
  [
    ['verify', '--shared-secret', secret, '--cookie-name', 'sess', token],
    {},
    undefined,
    /^pomerium-auth: the cookie name \(--cookie-name\): needs 'cookie' in --source\n/,
  ],
  [
    ['verify', '--shared-secret', secret, '--source', 'bearer-assertion', token],
    {},
    undefined,
    /^pomerium-auth: the sources \(--source\): 'bearer-assertion' needs --jwks-url, --public-key or --derive-assertion-key\n/,
  ],
  [
    ['verify', '--shared-secret', secret, '--source', 'query', token],
    {},
    undefined,
    /^pomerium-auth: the sources \(--source\): must be a non-empty array of/,
  ],
  [
    ['verify', '--shared-secret', secret, '--assertion-for', token],
    {},
    undefined,
    /^pomerium-auth: the assertion-for header \(--assertion-for\): needs the assertion keys: --jwks-url, --public-key or --derive-assertion-key\n/,
  ],
  [
    ['verify', '--derive-assertion-key', '--jwks-url', 'https://example.com/jwks.json', token],
    {},
    undefined,
    /^pomerium-auth: the derived assertion key \(--derive-assertion-key\): needs --shared-secret\n/,
  ],
  [
    ['verify', '--shared-secret', secret, '--clock-tolerance', '-3', token],
    {},
    undefined,
    /^pomerium-auth: the clock tolerance \(--clock-tolerance\): must be a non-negative number\n/,
  ],
  [
    ['verify', token],
    {},
    undefined,
    /^pomerium-auth: nothing to verify with: give the shared secret \(--shared-secret, POMERIUM_SHARED_SECRET or POMERIUM_SHARED_KEY\)/,
  ],
  [
    ['verify', '--config', 'bad-secret.json', token],
    {},
    undefined,
    /^pomerium-auth: option "sharedSecret" in bad-secret.json: is not base64/,
  ],
  [
    ['verify', '--config', 'bad-secret.json', '--shared-secret', short, token],
    {},
    undefined,
    /^pomerium-auth: the shared secret \(--shared-secret\): decodes to 5 bytes/,
  ],
  [
    ['verify', '--config', 'empty-url.json', token],
    {},
    undefined,
    /^pomerium-auth: option "directory.url" in empty-url.json: must be a non-empty string or URL\n/,
  ],
  [
    ['explain', '--config', 'missing-records.json', '--initiator', 'a', '--target', 'b'],
    {},
    undefined,
    /^pomerium-auth: option "directory" in missing-records.json: could not load records from .*users.csv: ENOENT/,
  ],
  [
    ['explain', '--config', 'bad-grants.json', '--initiator', 'a', '--target', 'b'],
    {},
    undefined,
    /^pomerium-auth: option "impersonation.grants\[0\].targets" in bad-grants.json: /,
  ],
  [
    ['explain', '--config', 'bad-policy.json', '--initiator', 'a'],
    {},
    undefined,
    /^pomerium-auth: option "policy.allow.or\[0\].groups.hass" in bad-policy.json: unknown list matcher operator "hass" \(did you mean "has"\?\)/,
  ],
  [
    ['explain', '--policy', 'typo.yaml', '--initiator', 'a'],
    {},
    undefined,
    /^pomerium-auth: the policy file typo.yaml \(--policy\), at policy\[0\].allow.or\[0\].emial: unknown criterion "emial" \(did you mean "email"\?\)/,
  ],
  [
    ['explain', '--policy', 'broken.yaml', '--initiator', 'a'],
    {},
    undefined,
    /^pomerium-auth: the policy file broken.yaml \(--policy\): is not valid YAML: line 4, column 1: /,
  ],
  [
    ['explain', '--policy', 'typo.yaml', '--route-grants', 'route-grants.json', '--initiator', 'a'],
    {},
    undefined,
    /^pomerium-auth: the route grants file route-grants.json \(--route-grants\), at grants\[0\].targets: /,
  ],
];

for (const [args, env, input, message] of cases) {
  const line = args.map((a) => (a === token ? '<token>' : a)).join(' ');
  const from = [...Object.keys(env), ...(input !== undefined ? ['standard input'] : [])];
  test(`${line}${from.length > 0 ? ` (${from.join(', ')})` : ''}: the message says where the value came from`, async () => {
    const result = await pomeriumAuth(args, {
      env,
      cwd: tmp.dir,
      ...(input !== undefined ? { input } : {}),
    });
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, message);
    // A library option is named only where the user wrote it: in an options file.
    for (const named of result.stderr.matchAll(/option "[^"]*"(?: in ([^\s:]+))?/g))
      assert.ok(named[1] !== undefined && args.includes(named[1]), result.stderr);
    assert.doesNotMatch(
      result.stderr.replace(/option "[^"]*" in \S+/g, ''),
      /\b(sharedSecret|jwksUrl|publicKeys|deriveAssertionKey|clockTolerance|cookieName|assertionFor|claimHeaders)\b/,
    );
  });
}

test("core's warnings name the flags too", async () => {
  const result = await pomeriumAuth([
    'verify',
    '--jwks-url',
    'https://app.example.com/.well-known/pomerium/jwks.json',
    '--shared-secret',
    secret,
    token,
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(
    result.stderr,
    /^warning: no --audience is configured: .*; set --audience to this route's host\n$/,
  );
});
