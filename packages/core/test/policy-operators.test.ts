// How criteria combine, with Pomerium's meanings: the operators (not and nor included, whose
// names mislead), several operators and rules, allow against deny, the reasons each decision
// gives, and the trace of what decided. `accept` (always holds) and `reject` (never holds) are
// the building blocks, so each row shows the logic alone.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePolicy, type PolicyCriterion, type PolicyDocument } from '@pomerium-auth/core';
import { anonymous, input, user } from './policy-fixtures.js';

const A: PolicyCriterion = { accept: true };
const R: PolicyCriterion = { reject: true };

describe('operators', () => {
  const rows: {
    operator: 'and' | 'or' | 'not' | 'nor';
    criteria: PolicyCriterion[];
    allowed: boolean;
    reasons: string[];
  }[] = [
    // and: all hold. Reasons: of all when it holds, of the failing ones when it does not.
    { operator: 'and', criteria: [A, A], allowed: true, reasons: ['accept'] },
    { operator: 'and', criteria: [A, R], allowed: false, reasons: ['reject'] },
    { operator: 'and', criteria: [R, R], allowed: false, reasons: ['reject'] },
    // or: any holds. Reasons: of the ones that hold, or of all when none does.
    { operator: 'or', criteria: [A, R], allowed: true, reasons: ['accept'] },
    { operator: 'or', criteria: [R, R], allowed: false, reasons: ['reject'] },
    // not: NONE holds (¬A ∧ ¬B), not "not all".
    { operator: 'not', criteria: [R, R], allowed: true, reasons: ['reject'] },
    { operator: 'not', criteria: [A, R], allowed: false, reasons: ['accept'] },
    { operator: 'not', criteria: [A, A], allowed: false, reasons: ['accept'] },
    { operator: 'not', criteria: [R], allowed: true, reasons: ['reject'] },
    // nor: NOT ALL hold (¬A ∨ ¬B), not "none".
    { operator: 'nor', criteria: [A, R], allowed: true, reasons: ['reject'] },
    { operator: 'nor', criteria: [R, R], allowed: true, reasons: ['reject'] },
    { operator: 'nor', criteria: [A, A], allowed: false, reasons: ['accept'] },
  ];
  for (const row of rows) {
    const names = row.criteria.map((c) => Object.keys(c)[0]).join(', ');
    test(`${row.operator} [${names}] ${row.allowed ? 'holds' : 'does not hold'}`, () => {
      const decision = compilePolicy({ allow: { [row.operator]: row.criteria } }).evaluate(input());
      assert.equal(decision.allowed, row.allowed);
      assert.deepEqual(decision.reasons, row.reasons);
    });
  }

  test('not and nor read as a user would write them (groups and method)', () => {
    // "not: [contractors, DELETE]" admits only requests that are neither by a contractor nor a
    // DELETE; "nor" admits every request that is not both.
    const not = compilePolicy({
      allow: { not: [{ groups: 'contractors' }, { http_method: 'DELETE' }] },
    });
    const nor = compilePolicy({
      allow: { nor: [{ groups: 'contractors' }, { http_method: 'DELETE' }] },
    });
    const contractor = user({ groups: ['contractors'] });
    const cases: [string, boolean, boolean][] = [
      // request, not, nor
      ['staff GET', true, true],
      ['staff DELETE', false, true],
      ['contractor GET', false, true],
      ['contractor DELETE', false, false],
    ];
    for (const [what, notAllows, norAllows] of cases) {
      const [who, method] = what.split(' ') as [string, string];
      const request = input({ user: who === 'contractor' ? contractor : user(), method });
      assert.equal(not.evaluate(request).allowed, notAllows, `not, ${what}`);
      assert.equal(nor.evaluate(request).allowed, norAllows, `nor, ${what}`);
    }
  });

  test('an empty operator is left out: it does not hold, not even vacuously', () => {
    for (const operator of ['and', 'or', 'not', 'nor']) {
      const decision = compilePolicy({ allow: { [operator]: [] } }).evaluate(input());
      assert.deepEqual(decision, { allowed: false, reasons: [], decidedBy: [] }, operator);
    }
  });

  test('an empty operator beside another changes nothing', () => {
    const decision = compilePolicy({ allow: { and: [], or: [A] } }).evaluate(input());
    assert.equal(decision.allowed, true);
    assert.deepEqual(
      decision.decidedBy.map((o) => o.path),
      ['policy.allow.or'],
    );
  });
});

describe('rules, allow and deny', () => {
  const rows: { says: string; doc: PolicyDocument; allowed: boolean; reasons: string[] }[] = [
    { says: 'an empty list of rules denies', doc: [], allowed: false, reasons: [] },
    { says: 'a rule with neither allow nor deny denies', doc: {}, allowed: false, reasons: [] },
    {
      says: 'an action or operator written undefined (in JavaScript) is absent',
      doc: { allow: { or: [A], and: undefined }, deny: undefined },
      allowed: true,
      reasons: ['accept'],
    },
    { says: 'deny alone denies', doc: { deny: { or: [R] } }, allowed: false, reasons: [] },
    {
      says: 'several operators in one action are ORed',
      doc: { allow: { and: [R], or: [A] } },
      allowed: true,
      reasons: ['accept'],
    },
    {
      says: 'the operators of all rules are ORed',
      doc: [{ allow: { and: [R] } }, { allow: { and: [A] } }],
      allowed: true,
      reasons: ['accept'],
    },
    {
      says: 'deny wins over allow',
      doc: { allow: { or: [A] }, deny: { or: [{ http_method: 'GET' }] } },
      allowed: false,
      reasons: ['http-method-ok'],
    },
    {
      says: 'deny from another rule wins too',
      doc: [{ allow: { or: [A] } }, { deny: { or: [{ user: 'alice' }] } }],
      allowed: false,
      reasons: ['user-ok'],
    },
    {
      says: 'a deny that does not hold leaves allow to decide',
      doc: { allow: { or: [A] }, deny: { or: [{ user: 'bob' }] } },
      allowed: true,
      reasons: ['accept'],
    },
    {
      says: 'denied for want of allow: reasons of every failed allow',
      doc: [{ allow: { and: [{ user: 'bob' }] } }, { allow: { or: [{ groups: 'admins' }] } }],
      allowed: false,
      reasons: ['groups-unauthorized', 'user-unauthorized'],
    },
    {
      says: 'allowed: reasons of the allows that held only',
      doc: [
        { allow: { and: [{ user: 'alice' }] } },
        { allow: { or: [{ groups: 'admins' }] } },
        { allow: { or: [{ groups: 'staff' }] } },
      ],
      allowed: true,
      reasons: ['groups-ok', 'user-ok'],
    },
    {
      says: 'denied by deny: reasons of the denies that held only',
      doc: { allow: { or: [A] }, deny: { or: [{ user: 'alice' }], and: [{ groups: 'admins' }] } },
      allowed: false,
      reasons: ['user-ok'],
    },
  ];
  for (const row of rows) {
    test(row.says, () => {
      const decision = compilePolicy(row.doc).evaluate(input());
      assert.equal(decision.allowed, row.allowed);
      assert.deepEqual(decision.reasons, row.reasons);
    });
  }

  test('an anonymous request is told user-unauthenticated (Pomerium would send it to sign in)', () => {
    const decision = compilePolicy({
      allow: { or: [{ email: { ends_with: '@corp.example' } }, { http_method: 'POST' }] },
    }).evaluate(anonymous());
    assert.equal(decision.allowed, false);
    assert.deepEqual(decision.reasons, ['http-method-unauthorized', 'user-unauthenticated']);
  });

  test('a criterion about the request can admit an anonymous request', () => {
    const decision = compilePolicy({
      allow: { or: [{ http_path: { starts_with: '/public/' } }] },
    }).evaluate(anonymous({ path: '/public/logo.png' }));
    assert.equal(decision.allowed, true);
  });
});

describe('the trace of what decided', () => {
  const policy = compilePolicy([
    { allow: { and: [{ groups: 'support' }, { http_method: { in: ['GET', 'HEAD'] } }] } },
    { allow: { or: [{ groups: 'finance' }, { user: 'alice' }] } },
    { deny: { or: [{ http_method: 'DELETE' }] } },
  ]);

  test('allowed: the operators that held, each criterion with its own result', () => {
    const decision = policy.evaluate(input());
    assert.deepEqual(decision.decidedBy, [
      {
        rule: 1,
        action: 'allow',
        operator: 'or',
        path: 'policy[1].allow.or',
        matched: true,
        criteria: [
          {
            criterion: 'groups',
            path: 'policy[1].allow.or[0]',
            matched: false,
            reason: 'groups-unauthorized',
          },
          { criterion: 'user', path: 'policy[1].allow.or[1]', matched: true, reason: 'user-ok' },
        ],
      },
    ]);
    assert.deepEqual(decision.reasons, ['user-ok']);
  });

  test('denied by deny: the deny operators that held', () => {
    const decision = policy.evaluate(input({ method: 'DELETE' }));
    assert.equal(decision.allowed, false);
    assert.deepEqual(
      decision.decidedBy.map((o) => [o.path, o.matched]),
      [['policy[2].deny.or', true]],
    );
  });

  test('denied for want of allow: every allow operator, none of which held', () => {
    const decision = policy.evaluate(input({ user: user({ id: 'bob' }) }));
    assert.equal(decision.allowed, false);
    assert.deepEqual(
      decision.decidedBy.map((o) => [o.path, o.matched, o.criteria.map((c) => c.reason)]),
      [
        ['policy[0].allow.and', false, ['groups-unauthorized', 'http-method-ok']],
        ['policy[1].allow.or', false, ['groups-unauthorized', 'user-unauthorized']],
      ],
    );
  });

  test('a not operator traces its criteria as they came out, before inverting', () => {
    const decision = compilePolicy({ allow: { not: [{ user: 'bob' }] } }).evaluate(input());
    assert.equal(decision.allowed, true);
    assert.equal(decision.decidedBy[0]?.matched, true);
    assert.equal(decision.decidedBy[0]?.criteria[0]?.matched, false);
  });

  test('decisions and traces handed out are frozen where they are shared', () => {
    const decision = policy.evaluate(input());
    assert.ok(Object.isFrozen(decision));
    assert.ok(Object.isFrozen(decision.reasons));
    assert.ok(Object.isFrozen(decision.decidedBy));
    assert.ok(Object.isFrozen(decision.decidedBy[0]));
    assert.ok(Object.isFrozen(decision.decidedBy[0]?.criteria));
  });

  test('a later decision leaves an earlier one as it was', () => {
    const first = policy.evaluate(input());
    const snapshot = JSON.stringify(first);
    policy.evaluate(input({ user: user({ id: 'bob' }), method: 'DELETE' }));
    policy.evaluate(anonymous());
    assert.equal(JSON.stringify(first), snapshot);
  });

  // A policy keeps its decisions by the pattern of its criteria's outcomes, up to a bound (and
  // for policies of up to 18 criteria): past either, each decision is made afresh, and every
  // one must still be its own request's.
  for (const count of [9, 20]) {
    test(`every pattern of ${count} criteria decides as its own outcomes say, past the decisions kept`, () => {
      const names = Array.from({ length: count }, (_, i) => `c${i}`);
      const all = compilePolicy({ allow: { and: names.map((n) => ({ [`claim/${n}`]: true })) } });
      const patterns = Math.min(2 ** count, 600);
      for (let round = 0; round < 2; round++) {
        for (let bits = 0; bits < patterns; bits++) {
          const claims = Object.fromEntries(names.map((n, i) => [n, ((bits >> i) & 1) === 1]));
          const decision = all.evaluate(input({ user: user({ claims }) }));
          const holds = names.map((_, i) => ((bits >> i) & 1) === 1);
          assert.equal(decision.allowed, holds.every(Boolean), `pattern ${bits}`);
          const traced = decision.decidedBy[0]?.criteria.map((c) => c.matched);
          assert.deepEqual(traced, holds, `pattern ${bits}`);
        }
      }
    });
  }

  test('names the policy and what it reads', () => {
    const named = compilePolicy(
      { allow: { or: [{ source_ip: '10.0.0.0/8' }] } },
      { name: 'office' },
    );
    assert.equal(named.name, 'office');
    assert.deepEqual(named.reads, {
      user: false,
      method: false,
      path: false,
      ip: true,
      now: false,
    });
    assert.deepEqual(policy.reads, {
      user: true,
      method: true,
      path: false,
      ip: false,
      now: false,
    });
  });
});

describe('paths that are not in canonical form', () => {
  // Pomerium judges the path decoded and normalised; a router may see it as sent. A path is
  // allowed only if both forms are.
  const publicOnly = compilePolicy({ allow: { or: [{ http_path: { starts_with: '/public/' } }] } });
  const noAdmin = compilePolicy({
    allow: { or: [A] },
    deny: { or: [{ http_path: { starts_with: '/admin' } }] },
  });
  const rows: [string, boolean, boolean][] = [
    // path, allowed by publicOnly, allowed by noAdmin
    ['/public/logo.png', true, true],
    ['/admin/users', false, false],
    ['/public/../admin/users', false, false],
    ['/admin/../public/logo.png', false, false],
    ['/%61dmin/users', false, false],
    ['/public/%2e%2e/admin', false, false],
    ['/public%2F..%2Fadmin', false, false],
    ['//admin', false, false],
    ['/public//logo.png', true, true],
    ['/public/./logo.png', true, true],
    ['/public/%zz', true, true],
    ['/public/a%20b?x=/admin', true, true],
    ['/public/..', false, true],
    // An absolute-form target (`GET http://host/admin HTTP/1.1`), which Node accepts and
    // Express and Koa route by its path, is judged by its path, as Envoy hands it to Pomerium.
    ['http://app.example/admin/users', false, false],
    ['HTTP://APP.EXAMPLE/admin', false, false],
    ['https://u@app.example:8443/admin?x=/public/', false, false],
    ['foo://app.example/admin', false, false],
    ['http://app.example/public/../admin', false, false],
    ['http://app.example/public/logo.png', true, true],
    ['http://app.example?x=/public/', false, true],
  ];
  for (const [path, publicAllowed, noAdminAllowed] of rows) {
    test(`${path}: ${publicAllowed ? 'allowed' : 'refused'} by an allow on /public/, ${noAdminAllowed ? 'allowed' : 'refused'} by a deny on /admin`, () => {
      assert.equal(publicOnly.evaluate(input({ path })).allowed, publicAllowed);
      assert.equal(noAdmin.evaluate(input({ path })).allowed, noAdminAllowed);
    });
  }
});

describe('evaluation never throws', () => {
  const policy = compilePolicy([
    {
      allow: {
        or: [{ 'claim/department': 'sales' }, { groups: 'staff' }, { domain: 'corp.example' }],
      },
    },
    { allow: { and: [{ source_ip: '10.0.0.0/8' }, { http_path: { starts_with: '/x' } }] } },
    {
      allow: {
        and: [
          { time_of_day: { timezone: 'Europe/Berlin', after: '8:00' } },
          { pomerium_service_account: 'sa' },
        ],
      },
    },
  ]);
  const throwing = new Proxy(
    {},
    {
      get() {
        throw new Error('boom');
      },
      has() {
        throw new Error('boom');
      },
      getOwnPropertyDescriptor() {
        throw new Error('boom');
      },
    },
  );
  const cases: [string, unknown][] = [
    ['no input', undefined],
    ['null input', null],
    ['an empty object', {}],
    [
      'a principal of the wrong types',
      {
        user: { id: 5, email: {}, groups: 'staff', kind: 7, claims: 3 },
        method: 1,
        path: {},
        ip: 42,
        now: 'x',
      },
    ],
    ['a principal that is a string', { user: 'alice', method: 'GET', path: '/x' }],
    [
      'claims whose getters throw',
      { user: { ...user(), groups: [], email: 'a@b', claims: throwing }, method: 'GET', path: '/' },
    ],
    [
      'groups with odd members',
      { user: user({ groups: [null, 5, {}, ['staff']] as never }), method: 'GET', path: '/' },
    ],
  ];
  for (const [what, value] of cases) {
    test(what, () => {
      const decision = policy.evaluate(value as never);
      assert.equal(typeof decision.allowed, 'boolean');
      assert.ok(Array.isArray(decision.reasons));
    });
  }

  test('claims whose getters throw are denied with the reason policy-error', () => {
    const decision = policy.evaluate({
      user: { ...user(), groups: [], email: 'a@b', claims: throwing },
      method: 'GET',
      path: '/',
    });
    assert.deepEqual(decision, { allowed: false, reasons: ['policy-error'], decidedBy: [] });
  });
});
