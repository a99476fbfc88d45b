import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  defineRouteRule,
  explainImpersonation,
  ImpersonationDeniedError,
  isPomeriumAuthError,
  PomeriumAuthConfigError,
  type AuthRequest,
  type DirectoryUser,
  type ExplainQuestion,
  type ImpersonationOptions,
  type PomeriumAuth,
  type PomeriumAuthOptions,
  type RouteRule,
} from '@pomerium-auth/core';
import { serviceAccountHeaders, signJwt, type TestIssuer } from '@pomerium-auth/testing';
import { failure, issuer as makeIssuer, request, withAudit } from './fixtures.js';

let issuer: TestIssuer;
before(async () => {
  issuer = await makeIssuer();
});
after(async () => {
  await issuer.close();
});

const users: DirectoryUser[] = [
  { id: 'user_1', email: 'user1@corp.example', groups: ['customers'] },
  { id: 'user_2', email: 'user2@corp.example', groups: [] },
  { id: 'user_42', groups: [] },
  { id: 'user_secret', groups: [] },
  { id: 'root', email: 'root@corp.example', groups: [] },
  { id: 'alice', email: 'alice@corp.example', groups: ['admins'] },
  { id: 'customer_1', groups: ['customers'] },
  { id: 'svc-abc', groups: [] },
  { id: 'admin', email: 'admin@corp.example', groups: ['admins'] },
];
const directory = (key: string) =>
  users.find((u) => u.id === key || u.email?.toLowerCase() === key.toLowerCase()) ?? null;

const impersonation: ImpersonationOptions = {
  grants: [
    // Search Guard's own example: admin may impersonate user_1, user_2 and every user_*.
    { name: 'search-guard', initiators: ['admin'], targets: ['user_1', 'user_2', 'user_*'] },
    {
      name: 'support',
      initiators: ['group:support'],
      targets: ['group:customers'],
      groups: ['customers'],
      readOnly: true,
    },
    { name: 'ops', initiators: ['Ops@Corp.example'], targets: ['/svc-[a-z]+/'] },
    { name: 'helpdesk', initiators: ['helpdesk'], targets: ['?bc'] },
    { name: 'superadmin', initiators: ['superadmin'], targets: ['*'] },
  ],
  protect: ['root', 'group:admins', 'user_secret'],
};

type Who = {
  id: string;
  email?: string;
  groups?: string[];
  impersonate_email?: string;
  impersonate_groups?: string[];
};
type Expect =
  | { user: string; grant?: string; via?: string; groups?: string[]; impersonating?: boolean }
  | { status: number; reason: string };
interface Row {
  says: string;
  who: Who;
  headers?: Record<string, string | string[]>;
  method?: string;
  route?: RouteRule;
  options?: Partial<PomeriumAuthOptions>;
  expect: Expect;
}

const admin: Who = { id: 'admin', email: 'admin@corp.example', groups: ['admins'] };
const bob: Who = { id: 'bob', email: 'bob@corp.example', groups: [] };
const supporter: Who = { id: 'sam', email: 'sam@corp.example', groups: ['support'] };
const ops: Who = { id: 'olga', email: 'ops@corp.example' };
const noDirectory = { directory: undefined };

const rows: Row[] = [
  // Search Guard's examples.
  {
    says: 'admin may impersonate user_1',
    who: admin,
    headers: { 'impersonate-user': 'user_1' },
    expect: { user: 'user_1', grant: 'search-guard', via: 'header', groups: ['customers'] },
  },
  {
    says: 'admin may impersonate user_2',
    who: admin,
    headers: { 'impersonate-user': 'user_2' },
    expect: { user: 'user_2', grant: 'search-guard' },
  },
  {
    says: 'admin may impersonate any user_* (glob)',
    who: admin,
    headers: { 'impersonate-user': 'user_42' },
    expect: { user: 'user_42', grant: 'search-guard' },
  },
  {
    says: 'admin may not impersonate a user no grant names',
    who: admin,
    headers: { 'impersonate-user': 'customer_1' },
    expect: { status: 403, reason: 'not_allowed' },
  },
  {
    says: 'a user without any grant may not impersonate',
    who: bob,
    headers: { 'impersonate-user': 'user_1' },
    expect: { status: 403, reason: 'not_allowed' },
  },
  {
    says: 'the header name is configurable: sg_impersonate_as',
    who: admin,
    headers: { sg_impersonate_as: 'user_1' },
    options: { impersonation: { ...impersonation, header: 'sg_impersonate_as' } },
    expect: { user: 'user_1', grant: 'search-guard' },
  },
  {
    says: 'a target may be named by email',
    who: admin,
    headers: { 'impersonate-user': 'USER1@corp.example' },
    expect: { user: 'user_1', grant: 'search-guard' },
  },
  // The effective user takes the target's groups, never the initiator's.
  {
    says: 'the effective user has the target’s groups, not the initiator’s',
    who: admin,
    headers: { 'impersonate-user': 'user_2' },
    expect: { user: 'user_2', groups: [] },
  },
  // Protect, existence, self.
  {
    says: 'nobody may impersonate a protected id',
    who: { id: 'superadmin' },
    headers: { 'impersonate-user': 'root' },
    expect: { status: 403, reason: 'protected_target' },
  },
  {
    says: 'protect is checked on the resolved target (email of a protected id)',
    who: { id: 'superadmin' },
    headers: { 'impersonate-user': 'ROOT@corp.example' },
    expect: { status: 403, reason: 'protected_target' },
  },
  {
    says: 'protect covers a grant’s glob (user_secret under user_*)',
    who: admin,
    headers: { 'impersonate-user': 'user_secret' },
    expect: { status: 403, reason: 'protected_target' },
  },
  {
    says: 'nobody may impersonate a member of a protected group',
    who: { id: 'superadmin' },
    headers: { 'impersonate-user': 'alice' },
    expect: { status: 403, reason: 'protected_target' },
  },
  {
    says: 'protect folds fullwidth look-alikes (NFKC) without a directory',
    who: { id: 'superadmin' },
    headers: { 'impersonate-user': 'ｒｏｏｔ' },
    options: noDirectory,
    expect: { status: 403, reason: 'protected_target' },
  },
  {
    says: 'a Cyrillic look-alike of a protected id does not exist in the directory',
    who: { id: 'superadmin' },
    headers: { 'impersonate-user': 'rооt' },
    expect: { status: 403, reason: 'unknown_target' },
  },
  {
    says: 'the target must exist when a directory is configured',
    who: admin,
    headers: { 'impersonate-user': 'user_nobody' },
    expect: { status: 403, reason: 'unknown_target' },
  },
  {
    says: 'without a directory the target is taken as named, with the groups asked for',
    who: { id: 'superadmin' },
    headers: { 'impersonate-user': 'ghost' },
    options: noDirectory,
    expect: { user: 'ghost', groups: [] },
  },
  {
    says: 'impersonating oneself is not impersonation',
    who: admin,
    headers: { 'impersonate-user': 'admin' },
    expect: { user: 'admin', impersonating: false },
  },
  // Matching rules.
  {
    says: 'initiator emails compare case-insensitively',
    who: ops,
    headers: { 'impersonate-user': 'svc-abc' },
    expect: { user: 'svc-abc', grant: 'ops' },
  },
  {
    says: 'a /regex/ must match the whole name (no suffix)',
    who: ops,
    headers: { 'impersonate-user': 'svc-abc-admin' },
    options: noDirectory,
    expect: { status: 403, reason: 'not_allowed' },
  },
  {
    says: 'a /regex/ must match the whole name (no prefix)',
    who: ops,
    headers: { 'impersonate-user': 'xsvc-abc' },
    options: noDirectory,
    expect: { status: 403, reason: 'not_allowed' },
  },
  {
    says: 'a ? glob matches exactly one character',
    who: { id: 'helpdesk' },
    headers: { 'impersonate-user': 'abc' },
    options: noDirectory,
    expect: { user: 'abc', grant: 'helpdesk' },
  },
  {
    says: 'a ? glob does not match two characters',
    who: { id: 'helpdesk' },
    headers: { 'impersonate-user': 'aabc' },
    options: noDirectory,
    expect: { status: 403, reason: 'not_allowed' },
  },
  {
    says: 'ids compare exactly (USER_1 is not user_*)',
    who: admin,
    headers: { 'impersonate-user': 'USER_1' },
    options: noDirectory,
    expect: { status: 403, reason: 'not_allowed' },
  },
  {
    says: 'an initiator id compares exactly (Admin is not admin)',
    who: { id: 'Admin' },
    headers: { 'impersonate-user': 'user_1' },
    expect: { status: 403, reason: 'not_allowed' },
  },
  // Groups.
  {
    says: 'a group grant lets support act as a member of customers (GET)',
    who: supporter,
    headers: { 'impersonate-user': 'customer_1' },
    expect: { user: 'customer_1', grant: 'support', groups: ['customers'] },
  },
  {
    says: 'groups asked for by header are authorized separately',
    who: supporter,
    headers: { 'impersonate-user': 'customer_1', 'impersonate-group': 'customers' },
    expect: { user: 'customer_1', groups: ['customers'] },
  },
  {
    says: 'asking for a group the grant does not list is refused (escalation)',
    who: supporter,
    headers: { 'impersonate-user': 'customer_1', 'impersonate-group': ['customers', 'admins'] },
    expect: { status: 403, reason: 'group_not_allowed' },
  },
  {
    says: 'comma-separated groups are read as several groups',
    who: supporter,
    headers: { 'impersonate-user': 'customer_1', 'impersonate-group': 'customers, admins' },
    expect: { status: 403, reason: 'group_not_allowed' },
  },
  {
    says: 'groups without a user are refused',
    who: supporter,
    headers: { 'impersonate-group': 'customers' },
    expect: { status: 403, reason: 'not_allowed' },
  },
  {
    says: 'a read-only grant refuses POST',
    who: supporter,
    headers: { 'impersonate-user': 'customer_1' },
    method: 'POST',
    expect: { status: 403, reason: 'read_only' },
  },
  {
    says: 'a read-only grant allows HEAD',
    who: supporter,
    headers: { 'impersonate-user': 'customer_1' },
    method: 'HEAD',
    expect: { user: 'customer_1' },
  },
  // Token claims and act.
  {
    says: 'historic impersonate_email claims go through the grants',
    who: { ...admin, impersonate_email: 'user1@corp.example' },
    expect: { user: 'user_1', via: 'token-claims', grant: 'search-guard' },
  },
  {
    says: 'a signed impersonate_email claim is a request, not a permission',
    who: { ...bob, impersonate_email: 'user1@corp.example' },
    expect: { status: 403, reason: 'not_allowed' },
  },
  {
    says: 'no chaining: token claims plus a header',
    who: { ...admin, impersonate_email: 'user1@corp.example' },
    headers: { 'impersonate-user': 'user_2' },
    expect: { status: 403, reason: 'chaining' },
  },
  {
    says: 'fromTokenClaims: false ignores the claims (the token is its own user)',
    who: { ...admin, impersonate_email: 'user1@corp.example' },
    options: { impersonation: { ...impersonation, fromTokenClaims: false } },
    expect: { user: 'admin', impersonating: false },
  },
  // Routes.
  {
    says: 'a route that forbids impersonation refuses it',
    who: admin,
    headers: { 'impersonate-user': 'user_1' },
    route: { impersonation: 'forbid' },
    expect: { status: 403, reason: 'forbidden_on_route' },
  },
  {
    says: 'a route’s grants replace the global ones (widen)',
    who: bob,
    headers: { 'impersonate-user': 'user_1' },
    route: {
      impersonation: { grants: [{ name: 'route', initiators: ['bob'], targets: ['user_1'] }] },
    },
    expect: { user: 'user_1', grant: 'route' },
  },
  {
    says: 'a route’s grants replace the global ones (narrow)',
    who: admin,
    headers: { 'impersonate-user': 'user_1' },
    route: { impersonation: { grants: [{ initiators: ['bob'], targets: ['user_1'] }] } },
    expect: { status: 403, reason: 'not_allowed' },
  },
  // Reason, hook, disabled.
  {
    says: 'requireReason refuses an impersonation without a reason (400, SPEC 8)',
    who: admin,
    headers: { 'impersonate-user': 'user_1' },
    options: { impersonation: { ...impersonation, requireReason: true } },
    expect: { status: 400, reason: 'reason_required' },
  },
  {
    says: 'requireReason accepts an impersonation with a reason',
    who: admin,
    headers: { 'impersonate-user': 'user_1', 'impersonate-reason': 'ticket 42' },
    options: { impersonation: { ...impersonation, requireReason: true } },
    expect: { user: 'user_1' },
  },
  {
    says: 'canImpersonate has the last word',
    who: admin,
    headers: { 'impersonate-user': 'user_1' },
    options: { impersonation: { ...impersonation, canImpersonate: () => false } },
    expect: { status: 403, reason: 'hook_denied' },
  },
  {
    says: 'a canImpersonate that throws refuses',
    who: admin,
    headers: { 'impersonate-user': 'user_1' },
    options: {
      impersonation: {
        ...impersonation,
        canImpersonate: () => {
          throw new Error('boom');
        },
      },
    },
    expect: { status: 403, reason: 'hook_denied' },
  },
  {
    says: 'impersonation: false refuses every request for it',
    who: admin,
    headers: { 'impersonate-user': 'user_1' },
    options: { impersonation: false },
    expect: { status: 403, reason: 'impersonation_disabled' },
  },
];

function tokenFor(who: Who): string {
  return issuer.mintLegacyServiceAccountToken({
    sub: who.id,
    user: who.id,
    email: who.email,
    groups: who.groups ?? [],
    impersonate_email: who.impersonate_email,
    impersonate_groups: who.impersonate_groups,
  });
}

/** An authenticator with the directory and these options (by default the table's rules), audited. */
function authWith(options: Partial<PomeriumAuthOptions> = {}): ReturnType<typeof withAudit> {
  return withAudit({
    sharedSecret: issuer.sharedSecret,
    directory,
    impersonation,
    logger: { warn: () => undefined },
    ...options,
  });
}

describe('impersonation rules', () => {
  for (const row of rows) {
    test(row.says, async () => {
      const { auth, events } = authWith(row.options);
      const req = request(
        { ...serviceAccountHeaders(tokenFor(row.who)), ...row.headers },
        row.method ?? 'GET',
      );
      const result = auth.authenticate(req, row.route);
      const expected = row.expect;
      if ('status' in expected) {
        const err = await failure(result);
        assert.deepEqual([err.status, err.reason], [expected.status, expected.reason]);
        assert.equal(events.length, 1, 'exactly one audit event');
        assert.equal(events[0]!.event, 'impersonation_denied');
        assert.equal(events[0]!.initiating_user?.id, row.who.id);
        assert.equal(events[0]!.effective_user, undefined);
        assert.equal(events[0]!.error?.reason, expected.reason);
      } else {
        const identity = (await result)!;
        const impersonating = expected.impersonating ?? true;
        assert.equal(identity.user.id, expected.user);
        assert.equal(identity.initiator.id, row.who.id);
        assert.equal(identity.impersonating, impersonating);
        if (expected.grant) assert.equal(identity.impersonation?.grant, expected.grant);
        if (expected.via) assert.equal(identity.impersonation?.via, expected.via);
        if (expected.groups) assert.deepEqual(identity.user.groups, expected.groups);
        assert.equal(events.length, 1, 'exactly one audit event');
        assert.equal(events[0]!.event, impersonating ? 'impersonation_granted' : 'authenticated');
        assert.equal(events[0]!.initiating_user?.id, row.who.id);
        assert.equal(events[0]!.effective_user?.id, expected.user);
        if (impersonating) assert.equal(events[0]!.grant, identity.impersonation?.grant);
      }
      for (const name of [
        'impersonate-user',
        'impersonate-group',
        'impersonate-reason',
        'sg_impersonate_as',
      ]) {
        if (name !== 'sg_impersonate_as' || row.options?.impersonation)
          assert.equal(req.headers[name], undefined, `${name} is removed once decided`);
      }
    });
  }

  test('a refused request keeps no impersonation header, whatever refused it', async () => {
    const sa = serviceAccountHeaders(tokenFor(admin));
    const cases: [string, Record<string, string | string[]>, number, string][] = [
      // Node folds two impersonate-user headers into "a, b": no user name holds a comma.
      ['folded repeat', { ...sa, 'impersonate-user': 'user_1, user_2' }, 400, 'repeated_header'],
      ['repeat', { ...sa, 'impersonate-user': ['user_1', 'user_2'] }, 400, 'repeated_header'],
      ['malformed token', { authorization: 'Pomerium not.a.token' }, 401, 'malformed_token'],
      ['no grant', { ...serviceAccountHeaders(tokenFor(bob)) }, 403, 'not_allowed'],
    ];
    for (const [says, headers, status, reason] of cases) {
      const { auth } = authWith();
      const req = request({
        'impersonate-user': 'user_1',
        'impersonate-group': 'customers',
        'impersonate-reason': 'ticket 42',
        ...headers,
      });
      const err = await failure(auth.authenticate(req));
      assert.deepEqual([err.status, err.reason], [status, reason], says);
      for (const name of ['impersonate-user', 'impersonate-group', 'impersonate-reason'])
        assert.equal(req.headers[name], undefined, `${says}: ${name} is removed once refused`);
    }
  });

  test('records the reason in the identity and the audit event', async () => {
    const { auth, events } = withAudit({
      sharedSecret: issuer.sharedSecret,
      directory,
      impersonation,
    });
    const identity = await auth.authenticate(
      request({
        ...serviceAccountHeaders(tokenFor(admin)),
        'impersonate-user': 'user_1',
        'impersonate-reason': 'ticket 42',
        'x-request-id': 'req-7',
      }),
    );
    assert.equal(identity?.impersonation?.reason, 'ticket 42');
    assert.equal(events[0]!.impersonation_reason, 'ticket 42');
    assert.deepEqual(events[0]!.request, {
      method: 'GET',
      path: '/resource',
      ip: '127.0.0.1',
      request_id: 'req-7',
    });
    assert.deepEqual(events[0]!.initiating_user, { id: 'admin', email: 'admin@corp.example' });
    assert.deepEqual(events[0]!.effective_user, { id: 'user_1', email: 'user1@corp.example' });
  });

  test('an RFC 8693 act claim asks for the subject on behalf of act.sub', async () => {
    const { auth } = withAudit({ sharedSecret: issuer.sharedSecret, directory, impersonation });
    const token = signJwt(
      { alg: 'HS256' },
      { sub: 'user_1', user: 'user_1', act: { sub: 'admin', act: { sub: 'earlier-actor' } } },
      issuer.sharedSecretBytes,
    );
    const identity = await auth.authenticate(request(serviceAccountHeaders(token)));
    assert.equal(identity?.impersonation?.via, 'act-claim');
    assert.equal(identity?.initiator.id, 'admin');
    assert.deepEqual(identity?.initiator.groups, ['admins']);
    assert.equal(identity?.user.id, 'user_1');
    const refused = signJwt(
      { alg: 'HS256' },
      { sub: 'user_1', user: 'user_1', act: { sub: 'bob' } },
      issuer.sharedSecretBytes,
    );
    assert.equal(
      (await failure(auth.authenticate(request(serviceAccountHeaders(refused))))).reason,
      'not_allowed',
    );
  });

  // An act claim naming the token's own subject asks for oneself: no impersonation, exactly as
  // a header asking for oneself, and the rules checked before that (enabled, route) still apply.
  const oneselfRows: Array<{
    says: string;
    options?: Partial<PomeriumAuthOptions>;
    route?: RouteRule;
    expect: string;
  }> = [
    {
      says: 'without any grant',
      options: { impersonation: { grants: [] } },
      expect: 'itself',
    },
    {
      says: 'with a grant that lets it act as anyone',
      options: { impersonation: { grants: [{ initiators: ['user_1'], targets: ['*'] }] } },
      expect: 'itself',
    },
    {
      says: 'when it is protected, and a reason is required',
      options: { impersonation: { ...impersonation, protect: ['user_1'], requireReason: true } },
      expect: 'itself',
    },
    {
      says: 'without a directory',
      options: { ...noDirectory, impersonation: { grants: [] } },
      expect: 'itself',
    },
    {
      says: 'on a route that forbids impersonation',
      route: { impersonation: 'forbid' },
      expect: 'forbidden_on_route',
    },
    {
      says: 'with impersonation: false',
      options: { impersonation: false },
      expect: 'impersonation_disabled',
    },
  ];
  for (const row of oneselfRows) {
    test(`an act claim naming its own subject is no impersonation, as a header asking for oneself: ${row.says}`, async () => {
      const claims = { sub: 'user_1', user: 'user_1', groups: ['from-token'] };
      const asks = {
        'act claim': serviceAccountHeaders(
          signJwt(
            { alg: 'HS256' },
            { ...claims, act: { sub: 'user_1' } },
            issuer.sharedSecretBytes,
          ),
        ),
        header: {
          ...serviceAccountHeaders(signJwt({ alg: 'HS256' }, claims, issuer.sharedSecretBytes)),
          'impersonate-user': 'user_1',
        },
      };
      const answers: Record<string, unknown> = {};
      for (const [how, headers] of Object.entries(asks)) {
        const { auth, events } = authWith(row.options);
        try {
          const identity = (await auth.authenticate(request(headers), row.route))!;
          assert.equal(identity.user, identity.initiator, `${how}: the user is the initiator`);
          assert.equal(identity.impersonation, undefined, how);
          answers[how] = {
            answer: identity.impersonating ? 'impersonating' : 'itself',
            user: identity.user.id,
            groups: identity.user.groups,
            events: events.map((e) => e.event),
          };
        } catch (err) {
          assert.ok(isPomeriumAuthError(err), `${how}: threw ${String(err)}`);
          answers[how] = { answer: err.reason, events: events.map((e) => e.event) };
        }
      }
      assert.equal((answers['act claim'] as { answer: string }).answer, row.expect);
      assert.deepEqual(answers['act claim'], answers.header);
    });
  }

  test('explain answers the same as a request, naming the grant or the reason', async () => {
    const { auth } = withAudit({ sharedSecret: issuer.sharedSecret, directory, impersonation });
    assert.deepEqual(await auth.explain({ initiator: 'admin', target: 'user_1' }), {
      allowed: true,
      initiator: {
        id: 'admin',
        email: 'admin@corp.example',
        groups: ['admins'],
        fromDirectory: true,
      },
      impersonating: true,
      grant: 'search-guard',
      effectiveUser: { id: 'user_1', email: 'user1@corp.example', groups: ['customers'] },
      policies: [],
    });
    assert.equal(
      (
        await auth.explain({
          initiator: 'admin',
          target: 'user_1',
          route: { impersonation: 'forbid' },
        })
      ).reason,
      'forbidden_on_route',
    );
    assert.equal(
      (
        await auth.explain({
          initiator: { id: 'sam', groups: ['support'] },
          target: 'customer_1',
          method: 'POST',
        })
      ).reason,
      'read_only',
    );
  });

  test('authorizeRoute narrows an identity already decided by an app-wide middleware, auditing its refusal', async () => {
    const { auth, events } = withAudit({
      sharedSecret: issuer.sharedSecret,
      directory,
      impersonation,
    });
    const req = request({
      ...serviceAccountHeaders(tokenFor(admin)),
      'impersonate-user': 'user_1',
    });
    const identity = await auth.authenticate(req);
    assert.throws(() => auth.authorizeRoute(identity, req, { impersonation: 'forbid' }), {
      status: 403,
      reason: 'forbidden_on_route',
    });
    // Two decisions, two events: the grant stands as it was audited, the route's refusal follows.
    assert.deepEqual(
      events.map((e) => [e.event, e.error?.reason, e.effective_user?.id]),
      [
        ['impersonation_granted', undefined, 'user_1'],
        ['impersonation_denied', 'forbidden_on_route', undefined],
      ],
    );
    assert.equal(events[1]!.impersonation_target, events[0]!.effective_user?.email ?? 'user_1');
    assert.equal(events[1]!.request.request_id, events[0]!.request.request_id);
    assert.doesNotThrow(() =>
      auth.authorizeRoute(identity, req, {
        impersonation: { grants: [{ initiators: ['admin'], targets: ['user_*'] }] },
      }),
    );
    assert.throws(
      () =>
        auth.authorizeRoute(identity, req, {
          impersonation: { grants: [{ initiators: ['bob'], targets: ['*'] }] },
        }),
      { reason: 'not_allowed' },
    );
    // A narrowing that passes is no new decision to audit; each refusal is one.
    assert.deepEqual(
      events.map((e) => [e.event, e.error?.reason]),
      [
        ['impersonation_granted', undefined],
        ['impersonation_denied', 'forbidden_on_route'],
        ['impersonation_denied', 'not_allowed'],
      ],
    );
  });

  test('several route rules: the first is part of the one decision, later ones can only narrow it', async () => {
    const { auth, events } = withAudit({
      sharedSecret: issuer.sharedSecret,
      directory,
      impersonation,
    });
    const widen = {
      impersonation: { grants: [{ name: 'route', initiators: ['bob'], targets: ['user_1'] }] },
    };
    const asBob = () =>
      request({ ...serviceAccountHeaders(tokenFor(bob)), 'impersonate-user': 'user_1' });
    assert.equal((await auth.authenticate(asBob(), [widen]))?.impersonation?.grant, 'route');
    const refused = await failure(auth.authenticate(asBob(), [widen, { impersonation: 'forbid' }]));
    assert.equal(refused.reason, 'forbidden_on_route');
    assert.equal(
      (await failure(auth.authenticate(asBob(), [{ impersonation: 'forbid' }, widen]))).reason,
      'forbidden_on_route',
    );
    // The rule that narrows after the decision is a second decision: granted, then denied.
    assert.deepEqual(
      events.map((e) => e.event),
      [
        'impersonation_granted',
        'impersonation_granted',
        'impersonation_denied',
        'impersonation_denied',
      ],
    );
  });

  test('explainImpersonation needs only the impersonation rules and the directory', async () => {
    const answer = await explainImpersonation(
      { impersonation, directory },
      { initiator: 'sam@corp.example', target: 'customer_1' },
    );
    assert.equal(answer.allowed, false, 'sam is not in the directory, so has no groups');
    const supportAnswer = await explainImpersonation(
      {
        impersonation,
        directory: (k) => (k === 'sam' ? { id: 'sam', groups: ['support'] } : directory(k)),
      },
      { initiator: 'sam', target: 'customer_1' },
    );
    assert.deepEqual([supportAnswer.allowed, supportAnswer.grant], [true, 'support']);
  });

  test('a malformed question is refused naming its field, never with a TypeError', async () => {
    const rows: Array<[question: unknown, field: string]> = [
      [undefined, 'question'],
      [null, 'question'],
      ['admin', 'question'],
      [{}, 'question.initiator'],
      [{ initiator: '' }, 'question.initiator'],
      [{ initiator: null }, 'question.initiator'],
      [{ initiator: { id: 5 } }, 'question.initiator'],
      [{ initiator: { id: 'a', email: 5 } }, 'question.initiator.email'],
      [{ initiator: { id: 'a', groups: 'support' } }, 'question.initiator.groups'],
      [{ initiator: 'admin', target: 5 }, 'question.target'],
      [{ initiator: 'admin', groups: ['a', 1] }, 'question.groups'],
      [{ initiator: 'admin', path: 5 }, 'question.path'],
      [{ initiator: 'admin', method: ['GET'] }, 'question.method'],
      [{ initiator: 'admin', now: 'noon' }, 'question.now'],
    ];
    for (const [question, field] of rows) {
      await assert.rejects(
        explainImpersonation({ impersonation, directory }, question as ExplainQuestion),
        (err: unknown) => err instanceof PomeriumAuthConfigError && err.option === field,
        JSON.stringify(question),
      );
    }
  });

  test('a request without credentials that asks for impersonation is refused with 401, even where authentication is optional', async () => {
    const { auth } = withAudit({
      sharedSecret: issuer.sharedSecret,
      impersonation,
      required: false,
      logger: { warn: () => undefined },
    });
    assert.equal(await auth.authenticate(request({})), undefined);
    assert.equal(
      (await failure(auth.authenticate(request({ 'impersonate-user': 'user_1' })))).status,
      401,
    );
  });
});

// A route's grants judge the same whether the route helper comes before the route's
// authentication (its rule is part of the decision) or after an app-wide one (it narrows the
// decision): the target by its own groups, the groups asked for each against the grant's
// `groups`, then the method. The global grant lets admin do anything, so only the route decides.
describe('a route’s grants answer the same as part of the decision and as a narrowing', () => {
  const everything: ImpersonationOptions = {
    grants: [{ name: 'global', initiators: ['admin'], targets: ['*'], groups: ['*'] }],
  };
  interface NarrowRow {
    says: string;
    grants: NonNullable<ImpersonationOptions['grants']>;
    headers: Record<string, string | string[]>;
    method?: string;
    /** `granted`, or the reason of the refusal. */
    expect: string;
  }
  const anyone = { name: 'route', initiators: ['admin'], targets: ['*'] };
  const customers = {
    name: 'route',
    initiators: ['admin'],
    targets: ['group:customers'],
    groups: ['customers'],
  };
  const narrowRows: NarrowRow[] = [
    {
      says: 'a group asked for that the route grant does not list is refused',
      grants: [anyone],
      headers: { 'impersonate-user': 'user_2', 'impersonate-group': 'admins' },
      expect: 'group_not_allowed',
    },
    {
      says: 'a group asked for that the route grant lists is allowed',
      grants: [{ ...anyone, groups: ['adm*'] }],
      headers: { 'impersonate-user': 'user_2', 'impersonate-group': 'admins' },
      expect: 'granted',
    },
    {
      says: 'one of several groups asked for that the route grant does not list is refused',
      grants: [{ ...anyone, groups: ['customers'] }],
      headers: { 'impersonate-user': 'user_2', 'impersonate-group': ['customers', 'admins'] },
      expect: 'group_not_allowed',
    },
    {
      says: 'a group:NAME target is the target’s own group, not one asked for',
      grants: [customers],
      headers: { 'impersonate-user': 'user_2', 'impersonate-group': 'customers' },
      expect: 'not_allowed',
    },
    {
      says: 'a group:NAME target allows a member of that group, asking for it',
      grants: [customers],
      headers: { 'impersonate-user': 'customer_1', 'impersonate-group': 'customers' },
      expect: 'granted',
    },
    {
      says: 'a group:NAME target allows a member of that group, asking for no group',
      grants: [customers],
      headers: { 'impersonate-user': 'customer_1' },
      expect: 'granted',
    },
    {
      says: 'a group:NAME target refuses a user outside that group',
      grants: [customers],
      headers: { 'impersonate-user': 'user_2' },
      expect: 'not_allowed',
    },
    {
      says: 'a grant that allows the target but not the groups gives way to one that allows both',
      grants: [anyone, { ...anyone, name: 'with-groups', groups: ['admins'] }],
      headers: { 'impersonate-user': 'user_2', 'impersonate-group': 'admins' },
      expect: 'granted',
    },
    {
      says: 'a target named by email compares case-insensitively',
      grants: [{ ...anyone, targets: ['User1@Corp.example'] }],
      headers: { 'impersonate-user': 'user_1' },
      expect: 'granted',
    },
    {
      says: 'a route grant that does not name the initiator refuses',
      grants: [{ ...anyone, initiators: ['bob'] }],
      headers: { 'impersonate-user': 'user_2' },
      expect: 'not_allowed',
    },
    {
      says: 'a read-only route grant refuses POST',
      grants: [{ ...anyone, readOnly: true }],
      headers: { 'impersonate-user': 'user_2' },
      method: 'POST',
      expect: 'read_only',
    },
    {
      says: 'a read-only route grant allows GET',
      grants: [{ ...anyone, readOnly: true }],
      headers: { 'impersonate-user': 'user_2' },
      expect: 'granted',
    },
  ];

  /** A dry run audits nothing: its refusal is thrown here as the request's would be. */
  const DRY_RUN = 'the dry run (explain) of the stacked rules';
  /** How a route's rule meets the request: the helper before or after the authentication. */
  const orders: Array<
    [string, (auth: PomeriumAuth, req: AuthRequest, rule: RouteRule) => Promise<unknown>]
  > = [
    ['part of the decision', (auth, req, rule) => auth.authenticate(req, rule)],
    [
      'narrowing an app-wide decision (authorizeRoute)',
      async (auth, req, rule) => auth.authorizeRoute(await auth.authenticate(req), req, rule),
    ],
    [
      'narrowing as the second of stacked rules',
      (auth, req, rule) =>
        auth.authenticate(req, [{ impersonation: { grants: everything.grants! } }, rule]),
    ],
    [
      DRY_RUN,
      async (auth, req, rule) => {
        const asked = req.headers['impersonate-group'];
        const answer = await auth.explain({
          initiator: 'admin',
          target: req.headers['impersonate-user'] as string,
          groups: asked === undefined ? [] : ([] as string[]).concat(asked),
          method: req.method,
          route: [{ impersonation: { grants: everything.grants! } }, rule],
        });
        if (!answer.allowed) throw new ImpersonationDeniedError(answer.reason as never);
      },
    ],
  ];

  for (const row of narrowRows) {
    test(row.says, async () => {
      const answers: string[] = [];
      for (const [order, apply] of orders) {
        const { auth, events } = authWith({ impersonation: everything });
        const req = request(
          { ...serviceAccountHeaders(tokenFor(admin)), ...row.headers },
          row.method ?? 'GET',
        );
        const rule = defineRouteRule({ impersonation: { grants: row.grants } });
        try {
          await apply(auth, req, rule);
          answers.push('granted');
        } catch (err) {
          assert.ok(isPomeriumAuthError(err), `${order}: threw ${String(err)}`);
          assert.equal(err.status, 403, order);
          if (order !== DRY_RUN)
            assert.equal(events.at(-1)?.error?.reason, err.reason, `${order}: audited`);
          answers.push(err.reason);
        }
      }
      assert.deepEqual(
        answers,
        orders.map(() => row.expect),
        orders.map(([order]) => order).join(' / '),
      );
    });
  }

  test('an impersonating identity no decision here granted cannot pass a route’s grants', async () => {
    const { auth } = authWith({ impersonation: everything });
    const req = request({
      ...serviceAccountHeaders(tokenFor(admin)),
      'impersonate-user': 'user_2',
    });
    const identity = (await auth.authenticate(req))!;
    const rule = { impersonation: { grants: [anyone] } };
    assert.doesNotThrow(() => auth.authorizeRoute({ ...identity }, req, rule), 'a copy is fine');
    const forged = { ...identity, user: { ...identity.user, groups: ['customers'] } };
    assert.throws(() => auth.authorizeRoute(forged, req, rule), { reason: 'not_allowed' });
  });
});

// Target patterns: ids compare exactly, emails case-insensitively (their ASCII letters only), in
// exact names, globs and /regex/ alike. Without a directory the target is taken as named.
describe('target patterns: ids compare exactly, emails case-insensitively, in every kind of pattern', () => {
  const patternRows: Array<[kind: string, pattern: string, target: string, allowed: boolean]> = [
    ['exact', 'bob@corp.com', 'bob@corp.com', true],
    ['exact', 'bob@corp.com', 'BOB@Corp.COM', true],
    ['exact', 'Bob@Corp.com', 'bob@corp.com', true],
    ['exact', 'user_1', 'user_1', true],
    ['exact', 'user_1', 'USER_1', false],
    ['exact', 'User_1', 'user_1', false],
    ['exact', 'boss@corp.com', 'bo\u017fs@corp.com', false],
    ['glob', '*@corp.com', 'Bob@CORP.com', true],
    ['glob', '*@CORP.com', 'bob@corp.com', true],
    ['glob', 'B?b@corp.com', 'bob@corp.com', true],
    ['glob', 'user_*', 'user_1', true],
    ['glob', 'user_*', 'USER_1', false],
    ['glob', 'User_*', 'user_1', false],
    ['glob', 'bos?@corp.com', 'bo\u017fs@corp.com', false],
    ['regex', '/Bob@corp\\.com/', 'bob@corp.com', true],
    ['regex', '/bob@corp\\.com/', 'BOB@CORP.COM', true],
    ['regex', '/Bob@corp\\.com/', 'BoB@Corp.com', true],
    ['regex', '/[A-Z]+@corp\\.com/', 'bob@corp.com', true],
    ['regex', '/\\x42ob@corp\\.com/', 'bob@corp.com', true],
    ['regex', '/(?<n>B)o\\k<n>@corp\\.com/', 'boB@corp.com', true],
    // A negated class refuses both cases of a letter it names, as the i flag has it.
    ['regex', '/[^B]ob@corp\\.com/', 'bob@corp.com', false],
    ['regex', '/[a-z]+@corp\\.com/', 'bob@corp.com', true],
    ['regex', '/bob@corp\\.com/', 'bob@corp.com.evil', false],
    ['regex', '/User_\\d+/', 'User_1', true],
    ['regex', '/User_\\d+/', 'user_1', false],
    ['regex', '/user_\\d+/', 'USER_1', false],
    // Only ASCII letters fold: `ſ` is no `s`, the Kelvin sign no `k`.
    ['regex', '/bos+@corp\\.com/', 'bo\u017fs@corp.com', false],
    ['regex', '/[a-z]+@corp\\.com/', '\u212ade@corp.com', false],
    ['regex', '/\\u212Ade@corp\\.com/', 'kde@corp.com', false],
  ];
  for (const [kind, pattern, target, allowed] of patternRows) {
    test(`${kind} ${pattern} ${allowed ? 'allows' : 'refuses'} ${JSON.stringify(target)}`, async () => {
      const answer = await explainImpersonation(
        { impersonation: { grants: [{ initiators: ['initiator'], targets: [pattern] }] } },
        { initiator: { id: 'initiator' }, target },
      );
      assert.equal(answer.allowed, allowed, `${answer.reason ?? ''} ${answer.detail ?? ''}`);
      if (!allowed) assert.equal(answer.reason, 'not_allowed');
    });
  }

  test('a /regex/ in protect refuses an email in any case', async () => {
    const answer = await explainImpersonation(
      {
        impersonation: {
          grants: [{ initiators: ['initiator'], targets: ['*'] }],
          protect: ['/Root@corp\\.example/'],
        },
      },
      { initiator: { id: 'initiator' }, target: 'root@CORP.example' },
    );
    assert.equal(answer.reason, 'protected_target');
  });
});
