import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPomeriumAuth, type PomeriumAuthOptions } from '@pomerium-auth/core';
import { pomeriumAuth, tempDir } from './run-binary.js';

const tmp = tempDir();
after(() => tmp.remove());

const options = {
  sharedSecret: 'X/6+31jHCANkIbOajHMACNy+HmDreiXcDzRMRQepoVI=',
  impersonation: {
    grants: [
      { name: 'support', initiators: ['group:admins'], targets: ['user_*', 'group:customers'] },
      { name: 'auditors-read-only', initiators: ['carol'], targets: ['user_*'], readOnly: true },
    ],
    protect: ['user_root', 'group:finance'],
  },
  directory: {
    records: [
      { id: 'alice', email: 'alice@corp.example', groups: ['admins'] },
      { id: 'bob', email: 'bob@corp.example', groups: ['staff'] },
      { id: 'carol', groups: ['audit'] },
      { id: 'user_1', email: 'user1@corp.example', groups: ['customers'] },
      { id: 'user_root', groups: ['ops'] },
      { id: 'user_cfo', groups: ['finance'] },
    ],
  },
};
const config = join(tmp.dir, 'options.json');
writeFileSync(config, JSON.stringify(options));
const routeGrants = join(tmp.dir, 'route-grants.json');
writeFileSync(
  routeGrants,
  JSON.stringify([{ name: 'payments-oncall', initiators: ['bob'], targets: ['user_1'] }]),
);

// initiator, target, extra flags, exit code, what names the decision
const cases: Array<[string, string, string[], number, RegExp]> = [
  [
    'alice',
    'user_1',
    [],
    0,
    /^allowed {2}alice may act as user_1 \(GET\)\n[\s\S]*decided by +grant "support"\n {2}effective +user_1 <user1@corp.example> {2}groups customers\n/,
  ],
  ['alice@corp.example', 'user_1', [], 0, /decided by +grant "support"/],
  [
    'bob',
    'user_1',
    [],
    1,
    /^denied {3}bob may not act as user_1 \(GET\)\n[\s\S]*decided by +rule not_allowed: no grant lets this initiator act as this target — bob has no grant\n/,
  ],
  [
    'alice',
    'user_root',
    [],
    1,
    /rule protected_target: the target is protected \(impersonation.protect\) — user_root is protected/,
  ],
  ['alice', 'user_cfo', [], 1, /rule protected_target/],
  ['alice', 'nobody', [], 1, /rule unknown_target: the target is not in the directory/],
  [
    'alice',
    'user_1',
    ['--method', 'POST', '--route-forbid'],
    1,
    /on a route that forbids impersonation\)[\s\S]*rule forbidden_on_route/,
  ],
  [
    'bob',
    'user_1',
    ['--method', 'POST', '--route-grants', routeGrants],
    0,
    /decided by +grant "payments-oncall"/,
  ],
  ['carol', 'user_1', [], 0, /decided by +grant "auditors-read-only"/],
  ['carol', 'user_1', ['--method', 'DELETE'], 1, /rule read_only: the grant is read-only/],
  ['alice', 'user_1', ['--groups', 'admins'], 1, /rule group_not_allowed/],
  [
    'mallory',
    'user_1',
    ['--initiator-groups', 'admins'],
    0,
    /initiator +mallory {2}groups admins\n[\s\S]*grant "support"/,
  ],
  ['alice', 'alice', [], 0, /^allowed {2}alice asking for alice is not impersonation/],
];

for (const [initiator, target, flags, code, shows] of cases) {
  test(`explain: ${initiator} → ${target} ${flags.filter((f) => f.startsWith('--')).join(' ')} names the grant or rule that decides`, async () => {
    const result = await pomeriumAuth([
      'explain',
      '--config',
      config,
      '--initiator',
      initiator,
      '--target',
      target,
      ...flags,
    ]);
    assert.equal(result.code, code, result.stdout + result.stderr);
    assert.match(result.stdout, shows);
  });
}

test("explain --json gives the core's own answer", async () => {
  const result = await pomeriumAuth([
    'explain',
    '--json',
    '--config',
    config,
    '--initiator',
    'mallory',
    '--initiator-groups',
    'admins',
    '--target',
    'user_root',
  ]);
  assert.equal(result.code, 1);
  const body = JSON.parse(result.stdout) as { answer: unknown; rule: string };
  const core = createPomeriumAuth({
    ...(options as unknown as PomeriumAuthOptions),
    directory: () => ({ id: 'user_root', groups: ['ops'] }),
    env: false,
    audit: false,
    logger: { warn: () => {} },
  });
  assert.deepEqual(
    body.answer,
    await core.explain({
      initiator: { id: 'mallory', groups: ['admins'] },
      target: 'user_root',
      groups: [],
      method: 'GET',
    }),
  );
  assert.equal(body.rule, 'the target is protected (impersonation.protect)');
});

test('explain reads a module config whose directory is a function, as an application writes it', async () => {
  const mjs = join(tmp.dir, 'options.mjs');
  writeFileSync(
    mjs,
    `const users = { admin: { id: 'admin', groups: ['admins'] }, user_2: { id: 'user_2', groups: [] } };
export default {
  jwksUrl: 'https://app.example.com/.well-known/pomerium/jwks.json',
  impersonation: { header: 'sg_impersonate_as', grants: [{ name: 'search-guard', initiators: ['group:admins'], targets: ['user_1', 'user_2', 'user_*'] }] },
  directory: (name) => users[name] ?? null,
};
`,
  );
  const result = await pomeriumAuth([
    'explain',
    '--config',
    mjs,
    '--initiator',
    'admin',
    '--target',
    'user_2',
  ]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /grant "search-guard"/);
});

const usage: Array<[string[], RegExp]> = [
  [['explain', '--initiator', 'a', '--target', 'b'], /--config <options file> is required/],
  [
    ['explain', '--config', 'x.json', '--target', 'b'],
    /--initiator <user id or email> is required/,
  ],
  [
    ['explain', '--config', 'x.json', '--initiator', 'a', '--target', 'b'],
    /cannot read x.json: ENOENT/,
  ],
  [
    [
      'explain',
      '--config',
      'c.json',
      '--initiator',
      'a',
      '--target',
      'b',
      '--route-forbid',
      '--route-grants',
      'g.json',
    ],
    /not both/,
  ],
];
for (const [args, message] of usage) {
  test(`explain exits 2 for ${message.source}`, async () => {
    const result = await pomeriumAuth(args, { cwd: tmp.dir });
    assert.equal(result.code, 2, result.stdout);
    assert.match(result.stderr, message);
  });
}

test('a bad grant in the options file is a configuration error naming the option', async () => {
  const bad = join(tmp.dir, 'bad.json');
  writeFileSync(
    bad,
    JSON.stringify({
      sharedSecret: options.sharedSecret,
      impersonation: { grants: [{ initiators: ['a'] }] },
    }),
  );
  const result = await pomeriumAuth([
    'explain',
    '--config',
    bad,
    '--initiator',
    'a',
    '--target',
    'b',
  ]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /option "impersonation.grants\[0\].targets"/);
});
