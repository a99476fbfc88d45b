// Policies in the request's path: options.policy and route rules, judged on the effective user,
// audited as their own events, refused 403 insufficient_scope; and explain's answer for them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compilePolicy,
  createPomeriumAuth,
  createRecordsSource,
  PomeriumAuthError,
  type AuditEvent,
  type DirectoryUser,
  type PomeriumAuthOptions,
  type RouteRule,
} from '@pomerium-auth/core';
import { assertionHeaders, type TestIssuer } from '@pomerium-auth/testing';
import { issuer as makeIssuer, request } from './fixtures.js';

let issuer: TestIssuer;
before(async () => {
  issuer = await makeIssuer();
});
after(async () => {
  await issuer.close();
});

const users: DirectoryUser[] = [
  { id: 'alice', email: 'alice@corp.example', groups: ['admins'] },
  {
    id: 'fiona',
    email: 'fiona@corp.example',
    groups: ['finance'],
    claims: { department: 'accounting' },
  },
  { id: 'carl', email: 'carl@corp.example', groups: ['sales'], claims: { department: 'sales' } },
];
const directory = (name: string) => users.find((u) => u.id === name || u.email === name) ?? null;
const financeOnly = compilePolicy(
  { allow: { or: [{ groups: { has: 'finance' } }] } },
  { name: 'finance' },
);

function setup(more: Partial<PomeriumAuthOptions> = {}) {
  const events: AuditEvent[] = [];
  const auth = createPomeriumAuth({
    env: false,
    publicKeys: [issuer.keys[0]!.publicJwk],
    audience: issuer.host,
    directory,
    impersonation: { grants: [{ name: 'admins', initiators: ['group:admins'], targets: ['*'] }] },
    audit: (e) => events.push(e),
    logger: { warn: () => undefined },
    ...more,
  });
  return { auth, events };
}
const as = (sub: string, extra: Record<string, string> = {}) => ({
  ...assertionHeaders(issuer.mintAssertion({ sub, groups: directory(sub)?.groups ?? [] })),
  ...extra,
});
async function outcome(
  auth: ReturnType<typeof setup>['auth'],
  headers: Record<string, string>,
  route?: RouteRule,
  path = '/finance/ledger',
) {
  try {
    const identity = await auth.authenticate(request(headers, 'GET', path), route);
    return identity ? `pass ${identity.user.id}` : 'anonymous';
  } catch (err) {
    assert.ok(err instanceof PomeriumAuthError, String(err));
    return `${err.status} ${err.error}`;
  }
}

describe('a route policy, judged on the effective user', () => {
  const route: RouteRule = { policy: financeOnly };
  const rows: Array<[string, () => Record<string, string>, string]> = [
    ['a member passes', () => as('fiona'), 'pass fiona'],
    ['a non-member is refused 403 insufficient_scope', () => as('carl'), '403 insufficient_scope'],
    ['an admin who is no member is refused', () => as('alice'), '403 insufficient_scope'],
    [
      'an admin acting as a member passes: the member is judged',
      () => as('alice', { 'impersonate-user': 'fiona' }),
      'pass fiona',
    ],
    [
      'an admin acting as a non-member is refused, as the non-member is',
      () => as('alice', { 'impersonate-user': 'carl' }),
      '403 insufficient_scope',
    ],
  ];
  for (const [name, headers, expected] of rows) {
    test(name, async () => assert.equal(await outcome(setup().auth, headers(), route), expected));
  }

  test('its decision is its own audit event, after the gate’s, with the policy name and reasons', async () => {
    const { auth, events } = setup();
    await outcome(auth, as('alice', { 'impersonate-user': 'fiona' }), route);
    await outcome(auth, as('carl'), route);
    assert.deepEqual(
      events.map((e) => [
        e.event,
        e.initiating_user?.id,
        e.effective_user?.id,
        e.policy,
        e.reasons,
        e.error?.code,
      ]),
      [
        ['impersonation_granted', 'alice', 'fiona', undefined, undefined, undefined],
        ['access_granted', 'alice', 'fiona', 'finance', ['groups-ok'], undefined],
        ['authenticated', 'carl', 'carl', undefined, undefined, undefined],
        ['access_denied', 'carl', 'carl', 'finance', ['groups-unauthorized'], 'insufficient_scope'],
      ],
    );
    assert.equal(events[1]!.grant, 'admins');
    assert.equal(events[0]!.request.request_id, events[1]!.request.request_id);
  });

  test('the refusal reveals nothing of the policy; the internal detail names it', async () => {
    const { auth } = setup();
    const err = await auth.authenticate(request(as('carl')), route).then(
      () => assert.fail(),
      (e: unknown) => e,
    );
    assert.ok(err instanceof PomeriumAuthError);
    assert.deepEqual(err.toJSON(), {
      error: 'insufficient_scope',
      error_description: 'Access to this resource is not allowed',
    });
    assert.equal(
      err.headers['WWW-Authenticate'],
      'Bearer realm="pomerium", error="insufficient_scope", error_description="Access to this resource is not allowed"',
    );
    assert.match(err.detail ?? '', /finance.*groups-unauthorized/);
  });

  test('an impersonated user’s claims come from the directory record, never the initiator’s', async () => {
    const accounting = {
      policy: { allow: { or: [{ 'claim/department': 'accounting' }] } },
    } as RouteRule;
    const { auth } = setup();
    assert.equal(
      await outcome(auth, as('alice', { 'impersonate-user': 'fiona' }), accounting),
      'pass fiona',
    );
    assert.equal(
      await outcome(auth, as('alice', { 'impersonate-user': 'carl' }), accounting),
      '403 insufficient_scope',
    );
    // The admin's own token claims the department: it does not reach the impersonated user.
    const forged = assertionHeaders(
      issuer.mintAssertion({ sub: 'alice', groups: ['admins'], department: 'accounting' }),
    );
    assert.equal(
      await outcome(auth, { ...forged, 'impersonate-user': 'carl' }, accounting),
      '403 insufficient_scope',
    );
    assert.equal(
      await outcome(auth, forged, accounting),
      'pass alice',
      'her own claim counts for herself',
    );
  });

  test('a records source gives the record’s other fields as claims', async () => {
    const source = createRecordsSource({
      records: [
        { id: 'alice', groups: 'admins' },
        { id: 'dana', groups: 'staff', department: 'accounting' },
      ],
    });
    const accounting = {
      policy: { allow: { or: [{ 'claim/department': 'accounting' }] } },
    } as RouteRule;
    const { auth } = setup({ directory: source });
    assert.equal(
      await outcome(auth, as('alice', { 'impersonate-user': 'dana' }), accounting),
      'pass dana',
    );
  });

  test('an anonymous request: allowed by a policy that accepts it, else 401', async () => {
    const { auth, events } = setup({ required: false });
    assert.equal(
      await outcome(auth, {}, { policy: { allow: { or: [{ accept: true }] } } }),
      'anonymous',
    );
    assert.equal(await outcome(auth, {}, route), '401 credentials_required');
    assert.deepEqual(
      events.map((e) => [e.event, e.error?.code]),
      [
        ['access_granted', undefined],
        ['access_denied', 'credentials_required'],
      ],
    );
  });

  test('a policy with only synchronous work keeps decide() in the same turn', () => {
    const { auth } = setup({ impersonation: false });
    const decided = auth.decide(request(as('fiona'), 'GET', '/finance/ledger'), route);
    assert.ok(!(decided instanceof Promise));
    assert.equal(decided?.user.id, 'fiona');
  });
});

describe('the request fields a policy reads (read from the request only when a criterion needs them)', () => {
  // Each row: a policy whose decision turns on one field of the request, and two requests that
  // differ only in that field. A field the policy reads but the decision did not see would let
  // the denied request through.
  const rows: Array<[string, string, [string, string], [string, string]]> = [
    [
      'deny http_method',
      'deny: { or: [{ http_method: DELETE }] }\nallow: { or: [{ accept: true }] }',
      ['GET', '/x'],
      ['DELETE', '/x'],
    ],
    [
      'allow http_method under not',
      'allow: { not: [{ http_method: POST }] }',
      ['GET', '/x'],
      ['POST', '/x'],
    ],
    [
      'allow http_path',
      'allow: { and: [{ http_path: { starts_with: /reports } }] }',
      ['GET', '/reports/1'],
      ['GET', '/admin'],
    ],
    [
      'deny http_path under nor',
      'deny: { nor: [{ http_path: /open }] }\nallow: { or: [{ accept: true }] }',
      ['GET', '/open'],
      ['GET', '/closed'],
    ],
    [
      'deny method and path together',
      'deny: { and: [{ http_method: POST }, { http_path: /admin }] }\nallow: { or: [{ accept: true }] }',
      ['POST', '/x'],
      ['POST', '/admin'],
    ],
  ];
  for (const [name, policy, [okMethod, okPath], [noMethod, noPath]] of rows)
    test(`${name}: ${okMethod} ${okPath} passes, ${noMethod} ${noPath} is refused`, async () => {
      const { auth } = setup({ policy });
      const run = (method: string, path: string) =>
        auth.authenticate(request(as('carl'), method, path)).then(
          (identity) => `pass ${identity?.user.id}`,
          (e: PomeriumAuthError) => e.error,
        );
      assert.equal(await run(okMethod, okPath), 'pass carl');
      assert.equal(await run(noMethod, noPath), 'insufficient_scope');
    });
});

describe('the app-wide policy option', () => {
  const policy = `
allow:
  or:
    - authenticated_user: true
deny:
  or:
    - http_method: DELETE
`;
  test('judges every authenticated request, on the effective user, audited as "policy"', async () => {
    const { auth, events } = setup({ policy });
    assert.equal(await outcome(auth, as('carl'), undefined, '/anything'), 'pass carl');
    const del = await auth.authenticate(request(as('carl'), 'DELETE', '/anything')).then(
      () => 'pass',
      (e: PomeriumAuthError) => e.error,
    );
    assert.equal(del, 'insufficient_scope');
    assert.deepEqual(
      events.map((e) => [e.event, e.policy]),
      [
        ['authenticated', undefined],
        ['access_granted', 'policy'],
        ['authenticated', undefined],
        ['access_denied', 'policy'],
      ],
    );
  });

  test('does not judge an anonymous request; the route policy after it must allow too', async () => {
    const { auth, events } = setup({ policy, required: false });
    assert.equal(await outcome(auth, {}), 'anonymous');
    assert.equal(events.length, 0);
    assert.equal(
      await outcome(auth, as('carl'), { policy: financeOnly }),
      '403 insufficient_scope',
    );
    assert.deepEqual(
      events.map((e) => [e.event, e.policy]),
      [
        ['authenticated', undefined],
        ['access_granted', 'policy'],
        ['access_denied', 'finance'],
      ],
    );
  });

  test('authorizeRoute applies a route policy after an app-wide decision, as its own event', async () => {
    const { auth, events } = setup();
    const req = request(as('carl'));
    const identity = await auth.authenticate(req);
    assert.throws(() => auth.authorizeRoute(identity, req, { policy: financeOnly }), {
      error: 'insufficient_scope',
    });
    assert.deepEqual(
      events.map((e) => e.event),
      ['authenticated', 'access_denied'],
    );
  });

  test('an invalid policy fails at construction, naming its path', () => {
    assert.throws(
      () => setup({ policy: { allow: { or: [{ groups: { hass: 'x' } }] } } as never }),
      { name: 'PomeriumAuthConfigError', option: 'policy.allow.or[0].groups.hass' },
    );
    assert.throws(
      () =>
        createPomeriumAuth({ env: false, sharedSecret: issuer.sharedSecret }).authorizeRoute(
          undefined,
          request({}),
          { policy: { allow: { or: [{ device: {} }] } } as never },
        ),
      { name: 'PomeriumAuthConfigError' },
    );
  });
});

describe('explain answers for policies', () => {
  test('names the policy and its reasons, on the effective user', async () => {
    const { auth } = setup({ policy: 'allow: { or: [ { authenticated_user: true } ] }' });
    const allowed = await auth.explain({
      initiator: 'alice',
      target: 'fiona',
      path: '/finance/ledger',
      route: { policy: financeOnly },
    });
    assert.equal(allowed.allowed, true);
    assert.equal(allowed.effectiveUser?.id, 'fiona');
    assert.deepEqual(
      allowed.policies.map((p) => [p.name, p.allowed, p.reasons]),
      [
        ['policy', true, ['user-ok']],
        ['finance', true, ['groups-ok']],
      ],
    );
    const refused = await auth.explain({
      initiator: 'carl',
      path: '/finance/ledger',
      route: { policy: financeOnly },
    });
    assert.equal(refused.allowed, false);
    assert.equal(refused.reason, 'policy_denied');
    assert.equal(refused.impersonating, false);
    assert.deepEqual(refused.policies.at(-1)?.reasons, ['groups-unauthorized']);
    assert.equal(refused.policies.at(-1)?.decidedBy[0]?.path, 'policy.allow.or');
  });

  test('an impersonation refused is answered before any policy', async () => {
    const { auth } = setup();
    const answer = await auth.explain({
      initiator: 'carl',
      target: 'fiona',
      route: { policy: financeOnly },
    });
    assert.deepEqual([answer.allowed, answer.reason, answer.policies], [false, 'not_allowed', []]);
  });
});
