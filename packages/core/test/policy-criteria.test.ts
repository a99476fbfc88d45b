// Every criterion the application evaluates, as a table: the criterion as written in a policy,
// the request, and the criterion's own result and reason (Pomerium's words). Each row is
// evaluated as the only criterion of `allow: { and: [...] }`.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePolicy, type PolicyCriterion, type PolicyInput } from '@pomerium-auth/core';
import { anonymous, input, serviceAccount, user } from './policy-fixtures.js';

interface Row {
  says: string;
  criterion: Record<string, unknown>;
  request: PolicyInput;
  matched: boolean;
  reason: string;
}

function check(rows: Row[]): void {
  for (const row of rows) {
    test(row.says, () => {
      const policy = compilePolicy({ allow: { and: [row.criterion as PolicyCriterion] } });
      const decision = policy.evaluate(row.request);
      assert.equal(decision.allowed, row.matched);
      assert.deepEqual(decision.reasons, [row.reason]);
      const [trace] = decision.decidedBy;
      assert.equal(trace?.criteria[0]?.matched, row.matched);
      assert.equal(trace?.criteria[0]?.reason, row.reason);
    });
  }
}

describe('accept, reject, authenticated_user', () => {
  check([
    {
      says: 'accept holds for anyone',
      criterion: { accept: true },
      request: anonymous(),
      matched: true,
      reason: 'accept',
    },
    {
      says: 'accept written without a value (YAML `- accept:`) holds',
      criterion: { accept: null },
      request: input(),
      matched: true,
      reason: 'accept',
    },
    {
      says: 'reject never holds',
      criterion: { reject: true },
      request: input(),
      matched: false,
      reason: 'reject',
    },
    {
      says: 'authenticated_user holds for a user',
      criterion: { authenticated_user: true },
      request: input(),
      matched: true,
      reason: 'user-ok',
    },
    {
      says: 'authenticated_user holds for a service account',
      criterion: { authenticated_user: true },
      request: input({ user: serviceAccount('sa-1') }),
      matched: true,
      reason: 'user-ok',
    },
    {
      says: 'authenticated_user fails an anonymous request as unauthenticated',
      criterion: { authenticated_user: true },
      request: anonymous(),
      matched: false,
      reason: 'user-unauthenticated',
    },
    {
      says: 'authenticated_user fails a principal with an empty id',
      criterion: { authenticated_user: true },
      request: input({ user: user({ id: '' }) }),
      matched: false,
      reason: 'user-unauthorized',
    },
  ]);
});

describe('user (the principal id)', () => {
  check([
    {
      says: 'a bare string is `is`',
      criterion: { user: 'alice' },
      request: input(),
      matched: true,
      reason: 'user-ok',
    },
    {
      says: 'ids compare exactly (case too)',
      criterion: { user: 'Alice' },
      request: input(),
      matched: false,
      reason: 'user-unauthorized',
    },
    {
      says: 'another id fails',
      criterion: { user: 'bob' },
      request: input(),
      matched: false,
      reason: 'user-unauthorized',
    },
    {
      says: 'an anonymous request is unauthenticated, whatever the matcher',
      criterion: { user: { not: 'bob' } },
      request: anonymous(),
      matched: false,
      reason: 'user-unauthenticated',
    },
    {
      says: "a service account is its user's id",
      criterion: { user: 'svc-user' },
      request: input({ user: serviceAccount('sa-1') }),
      matched: true,
      reason: 'user-ok',
    },
    {
      says: 'the impersonated user is the one judged',
      criterion: { user: 'customer-7' },
      request: input({ user: user({ id: 'customer-7' }) }),
      matched: true,
      reason: 'user-ok',
    },
  ]);
});

describe('string matchers (on email)', () => {
  check([
    {
      says: 'is',
      criterion: { email: { is: 'alice@corp.example' } },
      request: input(),
      matched: true,
      reason: 'email-ok',
    },
    {
      says: 'is compares case-sensitively, as Pomerium does',
      criterion: { email: { is: 'Alice@corp.example' } },
      request: input(),
      matched: false,
      reason: 'email-unauthorized',
    },
    {
      says: 'not',
      criterion: { email: { not: 'bob@corp.example' } },
      request: input(),
      matched: true,
      reason: 'email-ok',
    },
    {
      says: 'not fails on the value itself',
      criterion: { email: { not: 'alice@corp.example' } },
      request: input(),
      matched: false,
      reason: 'email-unauthorized',
    },
    {
      says: 'starts_with',
      criterion: { email: { starts_with: 'alice@' } },
      request: input(),
      matched: true,
      reason: 'email-ok',
    },
    {
      says: 'ends_with',
      criterion: { email: { ends_with: '@corp.example' } },
      request: input(),
      matched: true,
      reason: 'email-ok',
    },
    {
      says: 'ends_with fails on another domain',
      criterion: { email: { ends_with: '@corp.example' } },
      request: input({ user: user({ email: 'alice@corp.example.evil' }) }),
      matched: false,
      reason: 'email-unauthorized',
    },
    {
      says: 'contains',
      criterion: { email: { contains: 'ice@corp' } },
      request: input(),
      matched: true,
      reason: 'email-ok',
    },
    {
      says: 'in',
      criterion: { email: { in: ['bob@corp.example', 'alice@corp.example'] } },
      request: input(),
      matched: true,
      reason: 'email-ok',
    },
    {
      says: 'in with many values (a set inside)',
      criterion: {
        email: {
          in: Array.from({ length: 20 }, (_, i) => `u${i}@corp.example`).concat(
            'alice@corp.example',
          ),
        },
      },
      request: input(),
      matched: true,
      reason: 'email-ok',
    },
    {
      says: 'in an empty list never holds',
      criterion: { email: { in: [] } },
      request: input(),
      matched: false,
      reason: 'email-unauthorized',
    },
    {
      says: 'not_in',
      criterion: { email: { not_in: ['bob@corp.example'] } },
      request: input(),
      matched: true,
      reason: 'email-ok',
    },
    {
      says: 'not_in fails for a listed value',
      criterion: { email: { not_in: ['alice@corp.example'] } },
      request: input(),
      matched: false,
      reason: 'email-unauthorized',
    },
    {
      says: 'several keys must all hold',
      criterion: { email: { ends_with: '@corp.example', not: 'alice@corp.example' } },
      request: input(),
      matched: false,
      reason: 'email-unauthorized',
    },
    {
      says: 'several keys that all hold',
      criterion: { email: { starts_with: 'a', ends_with: '.example', contains: '@' } },
      request: input(),
      matched: true,
      reason: 'email-ok',
    },
    {
      says: 'a principal without email reads as the empty string (Pomerium reads "")',
      criterion: { email: { not: 'bob@corp.example' } },
      request: input({ user: user({ email: undefined }) }),
      matched: true,
      reason: 'email-ok',
    },
  ]);
});

describe('domain (the part of the email after @)', () => {
  check([
    {
      says: 'matches the domain',
      criterion: { domain: 'corp.example' },
      request: input(),
      matched: true,
      reason: 'domain-ok',
    },
    {
      says: 'is exact: a subdomain is another domain',
      criterion: { domain: 'corp.example' },
      request: input({ user: user({ email: 'a@eu.corp.example' }) }),
      matched: false,
      reason: 'domain-unauthorized',
    },
    {
      says: 'takes a matcher',
      criterion: { domain: { ends_with: 'corp.example' } },
      request: input({ user: user({ email: 'a@eu.corp.example' }) }),
      matched: true,
      reason: 'domain-ok',
    },
    {
      says: 'is case-sensitive',
      criterion: { domain: 'CORP.example' },
      request: input(),
      matched: false,
      reason: 'domain-unauthorized',
    },
    {
      says: 'an email without @ has no domain: fails even `not`',
      criterion: { domain: { not: 'corp.example' } },
      request: input({ user: user({ email: 'alice' }) }),
      matched: false,
      reason: 'domain-unauthorized',
    },
    {
      says: 'no email: fails',
      criterion: { domain: { not: 'x' } },
      request: input({ user: user({ email: undefined }) }),
      matched: false,
      reason: 'domain-unauthorized',
    },
    {
      says: 'with two @ the domain is what lies between them (split(email, "@")[1])',
      criterion: { domain: 'b' },
      request: input({ user: user({ email: 'a@b@c' }) }),
      matched: true,
      reason: 'domain-ok',
    },
    {
      says: 'anonymous: unauthenticated',
      criterion: { domain: 'corp.example' },
      request: anonymous(),
      matched: false,
      reason: 'user-unauthenticated',
    },
  ]);
});

describe('groups and the list matchers', () => {
  const finance = user({ groups: ['00gfin', 'Finance'] });
  check([
    {
      says: 'a bare value is `has`',
      criterion: { groups: 'staff' },
      request: input(),
      matched: true,
      reason: 'groups-ok',
    },
    {
      says: 'has',
      criterion: { groups: { has: 'Finance' } },
      request: input({ user: finance }),
      matched: true,
      reason: 'groups-ok',
    },
    {
      says: 'has matches ids and names alike (the assertion lists both)',
      criterion: { groups: { has: '00gfin' } },
      request: input({ user: finance }),
      matched: true,
      reason: 'groups-ok',
    },
    {
      says: 'has fails for a group the user is not in',
      criterion: { groups: { has: 'admins' } },
      request: input(),
      matched: false,
      reason: 'groups-unauthorized',
    },
    {
      says: 'has compares exactly',
      criterion: { groups: { has: 'finance' } },
      request: input({ user: finance }),
      matched: false,
      reason: 'groups-unauthorized',
    },
    {
      says: 'is: the only group',
      criterion: { groups: { is: 'staff' } },
      request: input(),
      matched: true,
      reason: 'groups-ok',
    },
    {
      says: 'is fails when the user has other groups too (id and name count as two)',
      criterion: { groups: { is: 'Finance' } },
      request: input({ user: finance }),
      matched: false,
      reason: 'groups-unauthorized',
    },
    {
      says: 'exclude',
      criterion: { groups: { exclude: 'contractors' } },
      request: input(),
      matched: true,
      reason: 'groups-ok',
    },
    {
      says: 'exclude fails for a member',
      criterion: { groups: { exclude: 'staff' } },
      request: input(),
      matched: false,
      reason: 'groups-unauthorized',
    },
    {
      says: 'exclude holds for a user without groups',
      criterion: { groups: { exclude: 'staff' } },
      request: input({ user: user({ groups: [] }) }),
      matched: true,
      reason: 'groups-ok',
    },
    {
      says: 'has and exclude together must both hold',
      criterion: { groups: { has: 'Finance', exclude: 'staff' } },
      request: input({ user: finance }),
      matched: true,
      reason: 'groups-ok',
    },
    {
      says: 'anonymous: unauthenticated',
      criterion: { groups: { exclude: 'x' } },
      request: anonymous(),
      matched: false,
      reason: 'user-unauthenticated',
    },
  ]);
});

describe('claim/<name>', () => {
  const claims = {
    department: 'sales',
    roles: ['reader', 'writer'],
    level: 3,
    verified: true,
    address: { country: 'NL', city: { name: 'Delft' } },
    'example.com/key': 'value',
    nothing: null,
    empty: [],
  };
  const withClaims = input({ user: user({ claims }) });
  check([
    {
      says: 'a string claim is a list of one',
      criterion: { 'claim/department': 'sales' },
      request: withClaims,
      matched: true,
      reason: 'claim-ok',
    },
    {
      says: 'is on a string claim (one value)',
      criterion: { 'claim/department': { is: 'sales' } },
      request: withClaims,
      matched: true,
      reason: 'claim-ok',
    },
    {
      says: 'a list claim: has',
      criterion: { 'claim/roles': 'writer' },
      request: withClaims,
      matched: true,
      reason: 'claim-ok',
    },
    {
      says: 'a list claim of two is not `is` one of them',
      criterion: { 'claim/roles': { is: 'writer' } },
      request: withClaims,
      matched: false,
      reason: 'claim-unauthorized',
    },
    {
      says: 'exclude on a list claim',
      criterion: { 'claim/roles': { exclude: 'admin' } },
      request: withClaims,
      matched: true,
      reason: 'claim-ok',
    },
    {
      says: 'a number claim matches the number',
      criterion: { 'claim/level': 3 },
      request: withClaims,
      matched: true,
      reason: 'claim-ok',
    },
    {
      says: 'a number claim never matches its string (Pomerium compares JSON values)',
      criterion: { 'claim/level': '3' },
      request: withClaims,
      matched: false,
      reason: 'claim-unauthorized',
    },
    {
      says: 'a boolean claim matches the boolean',
      criterion: { 'claim/verified': true },
      request: withClaims,
      matched: true,
      reason: 'claim-ok',
    },
    {
      says: 'a boolean claim never matches "true"',
      criterion: { 'claim/verified': 'true' },
      request: withClaims,
      matched: false,
      reason: 'claim-unauthorized',
    },
    {
      says: 'a nested member is reached with dots (Pomerium flattens claims)',
      criterion: { 'claim/address.country': 'NL' },
      request: withClaims,
      matched: true,
      reason: 'claim-ok',
    },
    {
      says: 'two levels down',
      criterion: { 'claim/address.city.name': 'Delft' },
      request: withClaims,
      matched: true,
      reason: 'claim-ok',
    },
    {
      says: 'an object claim has no value of its own',
      criterion: { 'claim/address': { exclude: 'NL' } },
      request: withClaims,
      matched: true,
      reason: 'claim-ok',
    },
    {
      says: 'an object never matches',
      criterion: { 'claim/address': 'NL' },
      request: withClaims,
      matched: false,
      reason: 'claim-unauthorized',
    },
    {
      says: 'slashes after the first belong to the claim name',
      criterion: { 'claim/example.com/key': 'value' },
      request: withClaims,
      matched: true,
      reason: 'claim-ok',
    },
    {
      says: 'a missing claim has no values: has fails',
      criterion: { 'claim/family_name': 'Smith' },
      request: withClaims,
      matched: false,
      reason: 'claim-unauthorized',
    },
    {
      says: 'a missing claim has no values: exclude holds',
      criterion: { 'claim/family_name': { exclude: 'Smith' } },
      request: withClaims,
      matched: true,
      reason: 'claim-ok',
    },
    {
      says: 'an empty list claim: is fails',
      criterion: { 'claim/empty': { is: 'x' } },
      request: withClaims,
      matched: false,
      reason: 'claim-unauthorized',
    },
    {
      says: 'a null claim matches no string',
      criterion: { 'claim/nothing': 'null' },
      request: withClaims,
      matched: false,
      reason: 'claim-unauthorized',
    },
    {
      says: 'an impersonated target carries no claims',
      criterion: { 'claim/department': 'sales' },
      request: input({ user: user({ claims: {} }) }),
      matched: false,
      reason: 'claim-unauthorized',
    },
    {
      says: 'claims that are not an object hold nothing',
      criterion: { 'claim/department': { exclude: 'x' } },
      request: input({ user: user({ claims: 'odd' as never }) }),
      matched: true,
      reason: 'claim-ok',
    },
    {
      says: 'anonymous: unauthenticated',
      criterion: { 'claim/department': 'sales' },
      request: anonymous(),
      matched: false,
      reason: 'user-unauthenticated',
    },
  ]);
});

describe('http_method and http_path', () => {
  check([
    {
      says: 'http_method is',
      criterion: { http_method: 'GET' },
      request: input(),
      matched: true,
      reason: 'http-method-ok',
    },
    {
      says: 'http_method compares exactly: get is not GET',
      criterion: { http_method: 'get' },
      request: input(),
      matched: false,
      reason: 'http-method-unauthorized',
    },
    {
      says: 'http_method in',
      criterion: { http_method: { in: ['GET', 'HEAD', 'OPTIONS'] } },
      request: input({ method: 'HEAD' }),
      matched: true,
      reason: 'http-method-ok',
    },
    {
      says: 'http_method holds for anonymous requests too',
      criterion: { http_method: 'GET' },
      request: anonymous(),
      matched: true,
      reason: 'http-method-ok',
    },
    {
      says: 'http_path is',
      criterion: { http_path: '/reports' },
      request: input({ path: '/reports' }),
      matched: true,
      reason: 'http-path-ok',
    },
    {
      says: 'http_path ignores the query',
      criterion: { http_path: '/reports' },
      request: input({ path: '/reports?year=2026' }),
      matched: true,
      reason: 'http-path-ok',
    },
    {
      says: 'http_path starts_with',
      criterion: { http_path: { starts_with: '/finance/' } },
      request: input({ path: '/finance/ledger' }),
      matched: true,
      reason: 'http-path-ok',
    },
    {
      says: 'http_path is case-sensitive',
      criterion: { http_path: { starts_with: '/finance/' } },
      request: input({ path: '/Finance/ledger' }),
      matched: false,
      reason: 'http-path-unauthorized',
    },
  ]);
});

describe('source_ip', () => {
  check([
    {
      says: 'an IPv4 range',
      criterion: { source_ip: '10.0.0.0/8' },
      request: input(),
      matched: true,
      reason: 'source-ip-ok',
    },
    {
      says: 'outside the range',
      criterion: { source_ip: '192.168.0.0/16' },
      request: input(),
      matched: false,
      reason: 'source-ip-unauthorized',
    },
    {
      says: 'a single address',
      criterion: { source_ip: '10.0.0.7' },
      request: input(),
      matched: true,
      reason: 'source-ip-ok',
    },
    {
      says: 'a list: any of them',
      criterion: { source_ip: ['192.168.0.0/16', '10.0.0.0/24'] },
      request: input(),
      matched: true,
      reason: 'source-ip-ok',
    },
    {
      says: 'an IPv4-mapped client address (dual-stack Node) is its IPv4 address',
      criterion: { source_ip: '10.0.0.0/8' },
      request: input({ ip: '::ffff:10.0.0.7' }),
      matched: true,
      reason: 'source-ip-ok',
    },
    {
      says: 'an IPv4-mapped range in the policy is an IPv4 range',
      criterion: { source_ip: '::ffff:10.0.0.0/104' },
      request: input(),
      matched: true,
      reason: 'source-ip-ok',
    },
    {
      says: 'an IPv6 range',
      criterion: { source_ip: '2001:db8::/32' },
      request: input({ ip: '2001:db8:0:1::42' }),
      matched: true,
      reason: 'source-ip-ok',
    },
    {
      says: 'IPv6 compares all 128 bits',
      criterion: { source_ip: '2001:db8::/127' },
      request: input({ ip: '2001:db8::2' }),
      matched: false,
      reason: 'source-ip-unauthorized',
    },
    {
      says: 'an IPv6 range holds no IPv4 address (::/0 too, as in Go)',
      criterion: { source_ip: '::/0' },
      request: input(),
      matched: false,
      reason: 'source-ip-unauthorized',
    },
    {
      says: '0.0.0.0/0 holds every IPv4 address',
      criterion: { source_ip: '0.0.0.0/0' },
      request: input({ ip: '203.0.113.9' }),
      matched: true,
      reason: 'source-ip-ok',
    },
    {
      says: 'loopback ::1',
      criterion: { source_ip: '::1' },
      request: input({ ip: '::1' }),
      matched: true,
      reason: 'source-ip-ok',
    },
    {
      says: 'an address with a zone is not an address (Go refuses it)',
      criterion: { source_ip: 'fe80::/10' },
      request: input({ ip: 'fe80::1%eth0' }),
      matched: false,
      reason: 'source-ip-unauthorized',
    },
    {
      says: 'no client address: fails',
      criterion: { source_ip: '0.0.0.0/0' },
      request: input({ ip: undefined }),
      matched: false,
      reason: 'source-ip-unauthorized',
    },
    {
      says: 'a client address that is not one: fails',
      criterion: { source_ip: '0.0.0.0/0' },
      request: input({ ip: 'localhost' }),
      matched: false,
      reason: 'source-ip-unauthorized',
    },
    {
      says: 'leading zeros are not an address (Go refuses them)',
      criterion: { source_ip: '10.0.0.0/8' },
      request: input({ ip: '010.0.0.7' }),
      matched: false,
      reason: 'source-ip-unauthorized',
    },
    {
      says: 'IPv6 hex digits in any case',
      criterion: { source_ip: '2001:db8::/32' },
      request: input({ ip: '2001:DB8::1' }),
      matched: true,
      reason: 'source-ip-ok',
    },
    {
      says: 'IPv6 written out in full',
      criterion: { source_ip: '2001:db8::/32' },
      request: input({ ip: '2001:0db8:0000:0000:0000:0000:0000:0001' }),
      matched: true,
      reason: 'source-ip-ok',
    },
    {
      says: 'an IPv4-mapped address written in hex is its IPv4 address',
      criterion: { source_ip: '10.0.0.0/8' },
      request: input({ ip: '::ffff:0a00:0007' }),
      matched: true,
      reason: 'source-ip-ok',
    },
    {
      says: 'an IPv4-compatible address (::1.2.3.4) is IPv6',
      criterion: { source_ip: '::/96' },
      request: input({ ip: '::1.2.3.4' }),
      matched: true,
      reason: 'source-ip-ok',
    },
    {
      says: 'an IPv4-compatible address is not IPv4',
      criterion: { source_ip: '0.0.0.0/0' },
      request: input({ ip: '::1.2.3.4' }),
      matched: false,
      reason: 'source-ip-unauthorized',
    },
    {
      says: ':: may stand for a single zero group',
      criterion: { source_ip: '::/0' },
      request: input({ ip: '1:2:3:4:5:6:7::' }),
      matched: true,
      reason: 'source-ip-ok',
    },
    {
      says: ':: must stand for at least one group',
      criterion: { source_ip: '::/0' },
      request: input({ ip: '1:2:3:4:5:6:7:8::' }),
      matched: false,
      reason: 'source-ip-unauthorized',
    },
    {
      says: 'eight groups without ::',
      criterion: { source_ip: '::/0' },
      request: input({ ip: '1:2:3:4:5:6:7:8' }),
      matched: true,
      reason: 'source-ip-ok',
    },
    {
      says: 'nine groups are no address',
      criterion: { source_ip: '::/0' },
      request: input({ ip: '1:2:3:4:5:6:7:8:9' }),
      matched: false,
      reason: 'source-ip-unauthorized',
    },
    {
      says: 'two :: are no address',
      criterion: { source_ip: '::/0' },
      request: input({ ip: '2001:db8::1::2' }),
      matched: false,
      reason: 'source-ip-unauthorized',
    },
    {
      says: 'five hex digits are no group',
      criterion: { source_ip: '::/0' },
      request: input({ ip: '12345::' }),
      matched: false,
      reason: 'source-ip-unauthorized',
    },
    {
      says: 'an IPv4 tail counts as two groups: seven before it are too many, :: or not',
      criterion: { source_ip: '::/0' },
      request: input({ ip: '1::3:4:5:6:7:8:1.2.3.4' }),
      matched: false,
      reason: 'source-ip-unauthorized',
    },
    {
      says: 'an IPv4 tail must close the address',
      criterion: { source_ip: '::/0' },
      request: input({ ip: '::1.2.3.4:5' }),
      matched: false,
      reason: 'source-ip-unauthorized',
    },
    {
      says: 'an IPv4 tail with a leading zero is no address',
      criterion: { source_ip: '0.0.0.0/0' },
      request: input({ ip: '::ffff:1.2.3.04' }),
      matched: false,
      reason: 'source-ip-unauthorized',
    },
    {
      says: 'anonymous requests are judged too',
      criterion: { source_ip: '10.0.0.0/8' },
      request: anonymous(),
      matched: true,
      reason: 'source-ip-ok',
    },
  ]);
});

describe('pomerium_service_account (extension)', () => {
  check([
    {
      says: 'true: a service account',
      criterion: { pomerium_service_account: true },
      request: input({ user: serviceAccount('sa-deploy') }),
      matched: true,
      reason: 'service-account-ok',
    },
    {
      says: 'true: not a user',
      criterion: { pomerium_service_account: true },
      request: input(),
      matched: false,
      reason: 'service-account-unauthorized',
    },
    {
      says: 'false: a user',
      criterion: { pomerium_service_account: false },
      request: input(),
      matched: true,
      reason: 'service-account-ok',
    },
    {
      says: 'false: not a service account',
      criterion: { pomerium_service_account: false },
      request: input({ user: serviceAccount('sa-deploy') }),
      matched: false,
      reason: 'service-account-unauthorized',
    },
    {
      says: 'an id',
      criterion: { pomerium_service_account: 'sa-deploy' },
      request: input({ user: serviceAccount('sa-deploy') }),
      matched: true,
      reason: 'service-account-ok',
    },
    {
      says: 'another id',
      criterion: { pomerium_service_account: 'sa-deploy' },
      request: input({ user: serviceAccount('sa-other') }),
      matched: false,
      reason: 'service-account-unauthorized',
    },
    {
      says: 'a list of ids',
      criterion: { pomerium_service_account: ['sa-release', 'sa-deploy'] },
      request: input({ user: serviceAccount('sa-deploy') }),
      matched: true,
      reason: 'service-account-ok',
    },
    {
      says: 'a matcher',
      criterion: { pomerium_service_account: { starts_with: 'sa-' } },
      request: input({ user: serviceAccount('sa-deploy') }),
      matched: true,
      reason: 'service-account-ok',
    },
    {
      says: 'a matcher never holds for a user, even `not`',
      criterion: { pomerium_service_account: { not: 'sa-deploy' } },
      request: input(),
      matched: false,
      reason: 'service-account-unauthorized',
    },
    {
      says: 'anonymous: unauthenticated',
      criterion: { pomerium_service_account: false },
      request: anonymous(),
      matched: false,
      reason: 'user-unauthenticated',
    },
  ]);
});
