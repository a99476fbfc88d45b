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
