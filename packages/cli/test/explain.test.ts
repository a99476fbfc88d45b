import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  compilePolicy,
  createPomeriumAuth,
  createRecordsSource,
  explainImpersonation,
  type PomeriumAuthOptions,
} from '@pomerium-auth/core';
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
      { id: 'user_2', groups: ['partners'] },
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

// Policies: the route's (--policy files) and the app-wide one (the options' `policy`), judged on
// the effective user. Files are named relative to the working directory, as a user types them.
writeFileSync(
  join(tmp.dir, 'reports.yaml'),
  `# customers read their reports; nobody deletes
- allow:
    and:
      - groups: { has: customers }
      - http_path: { starts_with: /reports }
- deny:
    or:
      - http_method: DELETE
`,
);
writeFileSync(
  join(tmp.dir, 'office.json'),
  JSON.stringify({ allow: { or: [{ source_ip: ['10.0.0.0/8'] }] } }),
);
writeFileSync(
  join(tmp.dir, 'from-2026.yaml'),
  "allow:\n  and:\n    - date: { after: '2026-01-01T00:00:00Z' }\n",
);
writeFileSync(
  join(tmp.dir, 'app-wide.json'),
  JSON.stringify({
    ...options,
    policy: { allow: { or: [{ email: { ends_with: '@corp.example' } }] } },
  }),
);

const issueLine = ['--policy', 'reports.yaml', '--as', 'user_1', '--initiator', 'alice'];
// arguments, exit code, what the output must show
const policyCases: Array<[string[], number, RegExp]> = [
  [
    ['--config', 'options.json', ...issueLine, 'GET', '/reports'],
    0,
    /^allowed {2}alice may act as user_1 \(GET \/reports\)\n[\s\S]*decided by +grant "support"\n {2}effective +user_1 <user1@corp.example> {2}groups customers\n {2}policy "reports.yaml" allows: groups-ok, http-path-ok\n {4}policy\[0\]\.allow\.and {2}holds\n {6}policy\[0\]\.allow\.and\[0\] {2}groups {5}holds {2}groups-ok\n {6}policy\[0\]\.allow\.and\[1\] {2}http_path {2}holds {2}http-path-ok\n$/,
  ],
  [
    [
      '--config',
      'options.json',
      ...issueLine.slice(0, 2),
      '--as',
      'user_2',
      '--initiator',
      'alice',
      'GET',
      '/reports',
    ],
    1,
    /^denied {3}alice may act as user_2, but user_2 may not GET \/reports\n[\s\S]*grant +"support"\n[\s\S]*decided by +rule policy_denied: a policy refuses the effective user — policy reports.yaml denied: groups-unauthorized\n {2}client sees +403 {"error":"insufficient_scope","error_description":"Access to this resource is not allowed"}\n {2}policy "reports.yaml" refuses: groups-unauthorized\n {4}policy\[0\]\.allow\.and {2}does not hold\n {6}policy\[0\]\.allow\.and\[0\] {2}groups {5}fails {2}groups-unauthorized\n/,
  ],
  [
    ['--config', 'options.json', ...issueLine, 'DELETE', '/reports'],
    1,
    /policy "reports.yaml" refuses: http-method-ok\n {4}policy\[1\]\.deny\.or {2}holds\n {6}policy\[1\]\.deny\.or\[0\] {2}http_method {2}holds {2}http-method-ok\n/,
  ],
  [
    ['--config', 'options.json', ...issueLine, '/admin'],
    1,
    /^denied {3}alice may act as user_1, but user_1 may not GET \/admin\n[\s\S]*http_path {2}fails {2}http-path-unauthorized/,
  ],
  [
    ['--config', 'options.json', '--policy', 'reports.yaml', '--initiator', 'alice', '/reports'],
    1,
    /^denied {3}alice may not GET \/reports\n[\s\S]*groups {5}fails {2}groups-unauthorized/,
  ],
  [
    [
      '--config',
      'options.json',
      '--policy',
      'reports.yaml',
      '--initiator',
      'alice',
      '--target',
      'user_1',
      '--method',
      'get',
      '--path',
      '/reports/7',
    ],
    0,
    /^allowed {2}alice may act as user_1 \(GET \/reports\/7\)\n/,
  ],
  [
    [
      '--policy',
      'reports.yaml',
      '--initiator',
      'dave',
      '--initiator-groups',
      'customers',
      '/reports',
    ],
    0,
    /^allowed {2}dave may GET \/reports\n {2}initiator +dave {2}groups customers\n {2}decided by +the policy below\n {2}note +no --config: no grants, no directory, no app-wide policy\n {2}policy "reports.yaml" allows/,
  ],
  [
    [
      '--config',
      'options.json',
      '--policy',
      'reports.yaml',
      '--as',
      'user_1',
      '--initiator',
      'bob',
      '/reports',
    ],
    1,
    /^denied {3}bob may not act as user_1 \(GET \/reports\)\n[\s\S]*rule not_allowed[\s\S]*403 {"error":"impersonation_denied"/,
  ],
  [
    ['--config', 'options.json', '--route-forbid', ...issueLine, '/reports'],
    1,
    /\(GET \/reports on a route that forbids impersonation\)\n[\s\S]*rule forbidden_on_route/,
  ],
  [
    [
      '--config',
      'options.json',
      ...issueLine,
      '--policy',
      'office.json',
      '--ip',
      '10.1.2.3',
      '/reports',
    ],
    0,
    /policy "reports.yaml" allows[\s\S]*policy "office.json" allows: source-ip-ok\n/,
  ],
  [
    [
      '--config',
      'options.json',
      ...issueLine,
      '--policy',
      'office.json',
      '--ip',
      '192.0.2.1',
      '/reports',
    ],
    1,
    /policy "reports.yaml" allows[\s\S]*policy "office.json" refuses: source-ip-unauthorized\n/,
  ],
  [
    [
      '--config',
      'options.json',
      '--policy',
      'from-2026.yaml',
      ...issueLine.slice(2),
      '--time',
      '2025-12-31T23:59:00Z',
    ],
    1,
    /policy "from-2026.yaml" refuses: date-unauthorized/,
  ],
  [
    [
      '--config',
      'options.json',
      '--policy',
      'from-2026.yaml',
      ...issueLine.slice(2),
      '--time',
      '2026-01-01T00:01:00Z',
    ],
    0,
    /policy "from-2026.yaml" allows: date-ok/,
  ],
  [
    ['--config', 'app-wide.json', '--initiator', 'alice', '--as', 'user_1'],
    0,
    /policy "policy" allows: email-ok\n {4}policy\.allow\.or {2}holds\n/,
  ],
  [
    [
      '--config',
      'app-wide.json',
      '--initiator',
      'alice',
      '--as',
      'user_2',
      '--policy',
      'reports.yaml',
    ],
    1,
    /policy "policy" refuses: email-unauthorized\n(?![\s\S]*reports\.yaml" )/,
  ],
];

for (const [args, code, shows] of policyCases) {
  test(`explain ${args.join(' ')} exits ${code} and names the policy, rule and criteria that decide`, async () => {
    const result = await pomeriumAuth(['explain', ...args], { cwd: tmp.dir });
    assert.equal(result.code, code, result.stdout + result.stderr);
    assert.match(result.stdout, shows);
    // The exit code is the answer's own: 0 exactly when core allows.
    const json = await pomeriumAuth(['explain', '--json', ...args], { cwd: tmp.dir });
    const body = JSON.parse(json.stdout) as { answer: { allowed: boolean } };
    assert.equal(json.code, body.answer.allowed ? 0 : 1);
    assert.equal(json.code, code);
  });
}

test("explain --json with --policy gives core's own answer for the same route", async () => {
  const text = readFileSync(join(tmp.dir, 'reports.yaml'), 'utf8');
  const result = await pomeriumAuth(
    [
      'explain',
      '--json',
      '--config',
      'options.json',
      ...issueLine,
      '--ip',
      '10.0.0.1',
      'GET',
      '/reports',
    ],
    { cwd: tmp.dir },
  );
  assert.equal(result.code, 0, result.stderr);
  const body = JSON.parse(result.stdout) as { question: unknown; answer: unknown };
  const directory = createRecordsSource({ records: options.directory.records });
  const expected = await explainImpersonation(
    { impersonation: options.impersonation, directory },
    {
      initiator: 'alice',
      target: 'user_1',
      groups: [],
      method: 'GET',
      path: '/reports',
      ip: '10.0.0.1',
      route: [{ policy: compilePolicy(text, { name: 'reports.yaml' }) }],
    },
  );
  assert.deepEqual(body.answer, JSON.parse(JSON.stringify(expected)));
  assert.deepEqual(body.question, {
    initiator: 'alice',
    target: 'user_1',
    groups: [],
    method: 'GET',
    path: '/reports',
    ip: '10.0.0.1',
    route: { policies: ['reports.yaml'] },
  });
});

const requestLineUsage: Array<[string[], RegExp]> = [
  [['--initiator', 'a'], /--config <options file> is required .*, or --policy <file>/],
  [
    ['--policy', 'reports.yaml', '--initiator', 'a', 'GET', '/x', 'extra'],
    /unexpected arguments: extra/,
  ],
  [
    ['--policy', 'reports.yaml', '--initiator', 'a', 'user_1'],
    /"user_1" is not an HTTP method .*the target goes in --as/,
  ],
  [
    ['--policy', 'reports.yaml', '--initiator', 'a', 'GET', 'reports'],
    /the path must start with \//,
  ],
  [
    ['--policy', 'reports.yaml', '--initiator', 'a', '--method', 'GET', 'POST'],
    /the method is given twice/,
  ],
  [
    ['--policy', 'reports.yaml', '--initiator', 'a', '--as', 'b', '--target', 'c'],
    /--as and --target both name the target/,
  ],
  [
    ['--policy', 'reports.yaml', '--initiator', 'a', '--ip', '10.0.0'],
    /--ip "10.0.0" is not an IP address/,
  ],
  [
    ['--policy', 'reports.yaml', '--initiator', 'a', '--time', 'noon'],
    /--time "noon" is not an ISO 8601 time/,
  ],
  [
    ['--policy', 'missing.yaml', '--initiator', 'a'],
    /cannot read policy file missing.yaml: ENOENT/,
  ],
];
for (const [args, message] of requestLineUsage) {
  test(`explain ${args.join(' ')} is a usage error (exit 2)`, async () => {
    const result = await pomeriumAuth(['explain', ...args], { cwd: tmp.dir });
    assert.equal(result.code, 2, result.stdout);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, message);
  });
}

test('a directory that fails is reported as the 503 a request would get, exit 1', async () => {
  const mjs = join(tmp.dir, 'failing-directory.mjs');
  writeFileSync(
    mjs,
    `export default {
  impersonation: { grants: [{ name: 'support', initiators: ['group:admins'], targets: ['*'] }] },
  directory: () => { throw new Error('directory server down'); },
};
`,
  );
  const result = await pomeriumAuth([
    'explain',
    '--config',
    mjs,
    '--initiator',
    'alice',
    '--as',
    'user_1',
  ]);
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.match(
    result.stdout,
    /^failed {3}temporarily_unavailable \(503\): lookup_failed — directory lookup failed: directory server down\n$/,
  );
});
