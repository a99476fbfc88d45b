// Policy documents as Pomerium accepts them (one rule, a list, YAML or JSON text) and every
// way a document can be wrong, each refused at compile time with the path of what is wrong.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  compilePolicy,
  POLICY_CRITERIA,
  PomeriumAuthConfigError,
  PROXY_ONLY_CRITERIA,
  type PolicyDocument,
} from '@pomerium-auth/core';
import { input, user } from './policy-fixtures.js';

describe('documents as text', () => {
  const yaml = `
# the support team may read; finance may do anything on /finance
- allow:
    and:
      - groups:
          has: support
      - http_method:
          in: [GET, HEAD]
- allow:
    and:
      - groups: { has: finance }
      - http_path: { starts_with: /finance/ }
  deny:
    or:
      - email:
          ends_with: '@contractor.example'
`;
  const json = JSON.stringify([
    { allow: { and: [{ groups: { has: 'support' } }, { http_method: { in: ['GET', 'HEAD'] } }] } },
    {
      allow: { and: [{ groups: { has: 'finance' } }, { http_path: { starts_with: '/finance/' } }] },
      deny: { or: [{ email: { ends_with: '@contractor.example' } }] },
    },
  ]);
  const cases: [string, string, boolean][] = [
    ['support GET /x', 'support', true],
    ['support POST /x', 'support', false],
    ['finance POST /finance/ledger', 'finance', true],
    ['finance POST /x', 'finance', false],
  ];
  for (const [format, text] of [
    ['YAML', yaml],
    ['JSON', json],
  ] as const) {
    test(`${format} text means what the same objects mean`, () => {
      const policy = compilePolicy(text);
      for (const [what, group, allowed] of cases) {
        const [, method, path] = what.split(' ') as [string, string, string];
        const decision = policy.evaluate(input({ user: user({ groups: [group] }), method, path }));
        assert.equal(decision.allowed, allowed, `${format}: ${what}`);
      }
      const contractor = user({ groups: ['finance'], email: 'x@contractor.example' });
      assert.equal(
        policy.evaluate(input({ user: contractor, method: 'GET', path: '/finance/a' })).allowed,
        false,
      );
    });
  }

  test('YAML anchors, aliases and merge keys work as in Pomerium (Go yaml.v3)', () => {
    const policy = compilePolicy(`
- allow:
    or: &staff
      - groups: staff
- deny:
    <<: { or: *staff }
`);
    assert.equal(policy.evaluate(input()).allowed, false);
  });

  test('a flow-style YAML document that is not JSON is YAML', () => {
    assert.equal(compilePolicy('{allow: {or: [{user: alice}]}}').evaluate(input()).allowed, true);
  });

  test('YAML reads 12345 as a number: refused where an id is a string, with the fix', () => {
    const err = configError(() => compilePolicy('allow:\n  or:\n    - user: 12345\n'));
    assert.equal(err.option, 'policy.allow.or[0].user');
    assert.match(err.message, /got the number 12345 \(in YAML, quote it: '12345'\)/);
  });
});

function configError(fn: () => unknown): PomeriumAuthConfigError {
  try {
    fn();
  } catch (err) {
    assert.ok(
      err instanceof PomeriumAuthConfigError,
      `expected a PomeriumAuthConfigError, got ${String(err)}`,
    );
    return err;
  }
  assert.fail('expected a PomeriumAuthConfigError');
}

describe('construction errors name the path of what is wrong', () => {
  const rows: {
    says: string;
    doc: unknown;
    option: string;
    message: RegExp;
    options?: { option?: string };
  }[] = [
    // The document
    {
      says: 'a number is no document',
      doc: 42,
      option: 'policy',
      message:
        /must be a rule \(\{ allow, deny \}\), a list of rules, or YAML or JSON text; got the number 42/,
    },
    { says: 'null is no document', doc: null, option: 'policy', message: /got nothing/ },
    { says: 'empty text', doc: '', option: 'policy', message: /is empty/ },
    {
      says: 'text with comments only',
      doc: '# nothing yet\n',
      option: 'policy',
      message: /is empty/,
    },
    { says: 'a YAML scalar', doc: 'allow', option: 'policy', message: /got the string "allow"/ },
    {
      says: 'bad YAML, with its line and column',
      doc: 'allow:\n  or:\n    - user: a\n   - user: b\n',
      option: 'policy',
      message: /is not valid YAML: line 4, column \d+/,
    },
    {
      says: 'a duplicate key (refused by Pomerium too)',
      doc: 'allow:\n  or: []\n  or: []\n',
      option: 'policy',
      message: /is not valid YAML: line 3, column 3: Map keys must be unique/,
    },
    {
      says: "bad JSON, with JSON's words",
      doc: '{"allow": {"or": [}}',
      option: 'policy',
      message: /is not valid JSON \(.*not valid JSON.*; YAML reader: line 1, column \d+\)/,
    },
    {
      says: 'several YAML documents',
      doc: 'allow: {}\n---\ndeny: {}\n',
      option: 'policy',
      message: /not valid YAML: line 2/,
    },
    {
      says: 'a YAML tag the core schema does not know',
      doc: 'allow: !!js/function x\n',
      option: 'policy',
      message: /not valid YAML: line 1, column \d+: Unresolved tag/,
    },
    {
      says: 'an alias expansion bomb',
      doc: `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [${'*a, '.repeat(10)}*a]\nc: &c [${'*b, '.repeat(10)}*b]\nd: [${'*c, '.repeat(10)}*c]\n`,
      option: 'policy',
      message: /not valid YAML: .*alias/i,
    },
    // Rules and actions
    {
      says: 'a rule that is not an object',
      doc: [{ allow: { or: [] } }, 'deny'],
      option: 'policy[1]',
      message: /must be a rule \(an object with allow and\/or deny\), got the string "deny"/,
    },
    {
      says: 'an unknown action',
      doc: [{ alow: { or: [] } }],
      option: 'policy[0].alow',
      message: /unknown action "alow": a rule has allow and\/or deny/,
    },
    {
      says: 'an action that is not an object',
      doc: { allow: [{ user: 'a' }] },
      option: 'policy.allow',
      message: /must be an object of operators \(and, or, not, nor\), got a list/,
    },
    {
      says: 'an action without a value (YAML `allow:`)',
      doc: 'allow:\n',
      option: 'policy.allow',
      message: /got nothing/,
    },
    {
      says: 'an unknown operator, with a suggestion',
      doc: { allow: { nand: [] } },
      option: 'policy.allow.nand',
      message: /unknown operator "nand" \(did you mean "and"\?\)/,
    },
    {
      says: 'an operator that is not a list',
      doc: { deny: { or: { user: 'a' } } },
      option: 'policy.deny.or',
      message: /must be a list of criteria, got an object/,
    },
    // Criteria
    {
      says: 'a criterion that is not an object',
      doc: { allow: { or: ['alice'] } },
      option: 'policy.allow.or[0]',
      message: /must be a criterion .* got the string "alice"/,
    },
    {
      says: 'a criterion with two keys',
      doc: { allow: { or: [{ user: 'a', email: 'b' }] } },
      option: 'policy.allow.or[0]',
      message: /exactly one key, got user, email/,
    },
    {
      says: 'a criterion with no key',
      doc: { allow: { or: [{}] } },
      option: 'policy.allow.or[0]',
      message: /exactly one key, got none/,
    },
    {
      says: 'an unknown criterion, with a suggestion',
      doc: [{ allow: { or: [] } }, { allow: { or: [{ user: 'a' }, { emial: 'x' }] } }],
      option: 'policy[1].allow.or[1].emial',
      message: /unknown criterion "emial" \(did you mean "email"\?\)/,
    },
    {
      says: 'Enterprise external data',
      doc: { allow: { or: [{ record: { type: 'x' } }] } },
      option: 'policy.allow.or[0].record',
      message: /"record" \(Pomerium Enterprise external data\) is not evaluated in the application/,
    },
    {
      says: 'a sub-path on a criterion without one',
      doc: { allow: { or: [{ 'user/id': 'a' }] } },
      option: 'policy.allow.or[0].user/id',
      message: /takes no \/sub-path/,
    },
    {
      says: 'claim without a name',
      doc: { allow: { or: [{ claim: 'a' }] } },
      option: 'policy.allow.or[0].claim',
      message: /claim\/<name>/,
    },
    {
      says: 'accept: false, which Pomerium would read as accept',
      doc: { allow: { or: [{ accept: false }] } },
      option: 'policy.allow.or[0].accept',
      message: /must be true, got the boolean false \(Pomerium ignores the value/,
    },
    {
      says: 'authenticated_user: "yes"',
      doc: { allow: { or: [{ authenticated_user: 'yes' }] } },
      option: 'policy.allow.or[0].authenticated_user',
      message: /must be true/,
    },
    // String matchers
    {
      says: 'a number for a string',
      doc: { allow: { or: [{ user: 12345 }] } },
      option: 'policy.allow.or[0].user',
      message: /got the number 12345 \(in YAML, quote it: '12345'\)/,
    },
    {
      says: 'a list for a string matcher',
      doc: { allow: { or: [{ email: ['a', 'b'] }] } },
      option: 'policy.allow.or[0].email',
      message: /a list is not a string matcher; to match any of them write \{ in: \[\.\.\.\] \}/,
    },
    {
      says: 'an unknown string operator',
      doc: { allow: { or: [{ email: { endswith: 'x' } }] } },
      option: 'policy.allow.or[0].email.endswith',
      message: /unknown string matcher operator "endswith" \(did you mean "ends_with"\?\)/,
    },
    {
      says: 'an empty matcher object (Pomerium: no condition at all)',
      doc: { allow: { or: [{ email: {} }] } },
      option: 'policy.allow.or[0].email',
      message: /needs at least one operator/,
    },
    {
      says: 'in with a non-list',
      doc: { allow: { or: [{ email: { in: 'a@b' } }] } },
      option: 'policy.allow.or[0].email.in',
      message: /in needs a list of strings, got the string "a@b"/,
    },
    {
      says: 'in with a number inside',
      doc: { allow: { or: [{ http_method: { in: ['GET', 1] } }] } },
      option: 'policy.allow.or[0].http_method.in[1]',
      message: /must be a string, got the number 1/,
    },
    {
      says: 'not_in with a non-list',
      doc: { allow: { or: [{ user: { not_in: null } }] } },
      option: 'policy.allow.or[0].user.not_in',
      message: /not_in needs a list of strings/,
    },
    {
      says: 'a boolean operand',
      doc: { allow: { or: [{ domain: { is: true } }] } },
      option: 'policy.allow.or[0].domain.is',
      message: /got the boolean true/,
    },
    // List matchers
    {
      says: 'a list for a list matcher (Pomerium compares the whole list)',
      doc: { allow: { or: [{ groups: ['a', 'b'] }] } },
      option: 'policy.allow.or[0].groups',
      message: /a list never equals one value/,
    },
    {
      says: 'an unknown list operator',
      doc: { allow: { or: [{ groups: { contains: 'a' } }] } },
      option: 'policy.allow.or[0].groups.contains',
      message: /unknown list matcher operator "contains"/,
    },
    {
      says: 'a number for a group',
      doc: { allow: { or: [{ groups: { has: 42 } }] } },
      option: 'policy.allow.or[0].groups.has',
      message: /got the number 42 \(in YAML, quote it/,
    },
    {
      says: 'an object inside a claim matcher',
      doc: { allow: { or: [{ 'claim/x': { has: { a: 1 } } }] } },
      option: 'policy.allow.or[0].claim/x.has',
      message: /must be a string, a number, a boolean or a matcher object/,
    },
    {
      says: 'null for a claim',
      doc: { allow: { or: [{ 'claim/x': null }] } },
      option: 'policy.allow.or[0].claim/x',
      message: /got nothing/,
    },
    // source_ip
    {
      says: 'a bad CIDR',
      doc: { allow: { or: [{ source_ip: '10.0.0.0/33' }] } },
      option: 'policy.allow.or[0].source_ip',
      message: /"10\.0\.0\.0\/33" is not an IP address or CIDR range/,
    },
    {
      says: 'a bad address in a list',
      doc: { allow: { or: [{ source_ip: ['10.0.0.0/8', '10.0.0.256'] }] } },
      option: 'policy.allow.or[0].source_ip[1]',
      message: /"10\.0\.0\.256" is not/,
    },
    {
      says: 'leading zeros (Go refuses them)',
      doc: { allow: { or: [{ source_ip: '010.0.0.1' }] } },
      option: 'policy.allow.or[0].source_ip',
      message: /is not an IP address/,
    },
    {
      says: 'an IPv6 zone',
      doc: { allow: { or: [{ source_ip: 'fe80::1%eth0' }] } },
      option: 'policy.allow.or[0].source_ip',
      message: /is not an IP address/,
    },
    {
      says: 'two :: in IPv6',
      doc: { allow: { or: [{ source_ip: '1::2::3' }] } },
      option: 'policy.allow.or[0].source_ip',
      message: /is not an IP address/,
    },
    {
      says: 'a number for an address',
      doc: { allow: { or: [{ source_ip: 10 }] } },
      option: 'policy.allow.or[0].source_ip',
      message: /must be an IP address or CIDR range/,
    },
    // Time
    {
      says: 'date without after or before',
      doc: { allow: { or: [{ date: {} }] } },
      option: 'policy.allow.or[0].date',
      message: /needs after and\/or before/,
    },
    {
      says: 'a bad date',
      doc: { allow: { or: [{ date: { after: '2026-02-30' } }] } },
      option: 'policy.allow.or[0].date.after',
      message: /"2026-02-30" is not an ISO 8601 date/,
    },
    {
      says: 'a date in another format',
      doc: { allow: { or: [{ date: { before: '03/04/2026' } }] } },
      option: 'policy.allow.or[0].date.before',
      message: /is not an ISO 8601 date/,
    },
    {
      says: 'an unknown date key',
      doc: { allow: { or: [{ date: { afer: '2026-01-01' } }] } },
      option: 'policy.allow.or[0].date.afer',
      message: /unknown key "afer" \(did you mean "after"\?\)/,
    },
    {
      says: 'an unknown time zone',
      doc: {
        allow: { or: [{ date: { after: '2026-01-01T00:00:00', timezone: 'Mars/Olympus' } }] },
      },
      option: 'policy.allow.or[0].date.timezone',
      message: /unknown time zone "Mars\/Olympus"/,
    },
    {
      says: 'time_of_day without a timezone',
      doc: { allow: { or: [{ time_of_day: { after: '9:00' } }] } },
      option: 'policy.allow.or[0].time_of_day',
      message: /needs a timezone/,
    },
    {
      says: 'a bad time',
      doc: { allow: { or: [{ time_of_day: { timezone: 'UTC', after: '25:00' } }] } },
      option: 'policy.allow.or[0].time_of_day.after',
      message: /"25:00" is not a time/,
    },
    {
      says: 'a 12-hour time past 12',
      doc: { allow: { or: [{ time_of_day: { timezone: 'UTC', before: '13 PM' } }] } },
      option: 'policy.allow.or[0].time_of_day.before',
      message: /"13 PM" is not a time/,
    },
    {
      says: 'a time as a number (YAML 1.1 sexagesimal habits)',
      doc: { allow: { or: [{ time_of_day: { timezone: 'UTC', after: 900 } }] } },
      option: 'policy.allow.or[0].time_of_day.after',
      message: /quote it: '900'/,
    },
    {
      says: 'an unknown day',
      doc: { allow: { or: [{ day_of_week: 'mon-fry' }] } },
      option: 'policy.allow.or[0].day_of_week',
      message: /"fry" is not a day/,
    },
    {
      says: 'an empty day in a list',
      doc: { allow: { or: [{ day_of_week: 'mon,,fri' }] } },
      option: 'policy.allow.or[0].day_of_week',
      message: /"" is not a day/,
    },
    {
      says: 'a range of three days',
      doc: { allow: { or: [{ day_of_week: 'mon-wed-fri' }] } },
      option: 'policy.allow.or[0].day_of_week',
      message: /is not a day or a range of days/,
    },
    {
      says: 'days without days',
      doc: { allow: { or: [{ day_of_week: { timezone: 'UTC' } }] } },
      option: 'policy.allow.or[0].day_of_week',
      message: /needs days/,
    },
    // pomerium_service_account
    {
      says: 'a number for a service account',
      doc: { allow: { or: [{ pomerium_service_account: 1 }] } },
      option: 'policy.allow.or[0].pomerium_service_account',
      message: /got the number 1/,
    },
    {
      says: 'a number in the list of ids',
      doc: { allow: { or: [{ pomerium_service_account: ['sa', 2] }] } },
      option: 'policy.allow.or[0].pomerium_service_account[1]',
      message: /got the number 2/,
    },
    // The option prefix
    {
      says: 'the option prefix names where the document was given',
      doc: { allow: { or: [{ emial: 'x' }] } },
      options: { option: 'routes[3].policy' },
      option: 'routes[3].policy.allow.or[0].emial',
      message: /unknown criterion/,
    },
    {
      says: 'text errors carry the prefix too',
      doc: 'allow: [',
      options: { option: 'route.policy' },
      option: 'route.policy',
      message: /not valid YAML/,
    },
  ];
  for (const row of rows) {
    test(`${row.says}: ${row.option}`, () => {
      const err = configError(() => compilePolicy(row.doc as PolicyDocument, row.options));
      assert.equal(err.option, row.option);
      assert.match(err.message, row.message);
      assert.equal(err.code, 'invalid_configuration');
    });
  }

  for (const name of [
    'device',
    'client_certificate',
    'invalid_client_certificate',
    'pomerium_routes',
    'cors_preflight',
    'mcp_tool',
    'ssh_username',
    'ssh_publickey',
  ]) {
    test(`the proxy-only criterion ${name} is refused, named`, () => {
      const err = configError(() => compilePolicy({ deny: { or: [{ [name]: true }] } }));
      assert.equal(err.option, `policy.deny.or[0].${name}`);
      assert.match(
        err.message,
        new RegExp(`criterion "${name}" can only be judged by Pomerium's proxy`),
      );
    });
  }

  test('the lists of criteria are exported', () => {
    assert.ok(POLICY_CRITERIA.includes('claim'));
    assert.ok(PROXY_ONLY_CRITERIA.includes('device'));
  });

  test('a document whose getters throw is still a configuration error', () => {
    const doc = {
      get allow(): never {
        throw new Error('boom');
      },
    };
    const err = configError(() => compilePolicy(doc));
    assert.equal(err.option, 'policy');
    assert.match(err.message, /could not be read \(boom\)/);
  });

  test('a document that holds itself is refused, not looped over', () => {
    const list: unknown[] = [];
    list.push({ allow: { or: list } });
    const err = configError(() => compilePolicy(list as PolicyDocument));
    assert.equal(err.option, 'policy[0].allow.or[0].allow');
  });

  test('bad options', () => {
    assert.equal(configError(() => compilePolicy([], { option: '' })).option, 'option');
    assert.equal(configError(() => compilePolicy([], { name: 5 as never })).option, 'policy name');
  });
});

describe('the yaml module', () => {
  test('is loaded only when a document is given as text, by either build', () => {
    // A fresh process, so that no earlier test has loaded it.
    const script = `
      const core = require('@pomerium-auth/core');
      const loaded = () => Object.keys(require.cache).some((file) => /[\\\\/]yaml[\\\\/]/.test(file));
      const before = loaded();
      core.compilePolicy({ allow: { or: [{ accept: true }] } });
      const afterObjects = loaded();
      const allowed = core.compilePolicy('allow: { or: [{ accept: true }] }').evaluate({ method: 'GET', path: '/' }).allowed;
      import('@pomerium-auth/core').then((esm) => {
        const esmAllowed = esm.compilePolicy('deny: { or: [{ accept: true }] }').evaluate({ method: 'GET', path: '/' }).allowed;
        console.log(JSON.stringify([before, afterObjects, allowed, loaded(), esmAllowed]));
      });
    `;
    const out = execFileSync(process.execPath, ['-e', script], {
      cwd: dirname(fileURLToPath(import.meta.url)),
    });
    assert.deepEqual(JSON.parse(out.toString()), [false, false, true, true, false]);
  });
});
