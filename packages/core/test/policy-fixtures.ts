// Principals and requests for the policy tests.
import type { PolicyInput, Principal } from '@pomerium-auth/core';

/** A user principal: alice of corp.example, in group staff, unless told otherwise. */
export function user(fields: Partial<Principal> = {}): Principal {
  return {
    id: 'alice',
    email: 'alice@corp.example',
    groups: ['staff'],
    kind: 'user',
    claims: {},
    ...fields,
  };
}

/** A service-account principal acting for the user `svc-user`. */
export function serviceAccount(id: string, fields: Partial<Principal> = {}): Principal {
  return {
    id: 'svc-user',
    groups: [],
    kind: 'service-account',
    serviceAccountId: id,
    claims: {},
    ...fields,
  };
}

/** A request: GET / from 10.0.0.7 at 2026-03-04T10:00:00Z (a Wednesday), by alice. */
export function input(fields: Partial<PolicyInput> = {}): PolicyInput {
  return {
    user: user(),
    method: 'GET',
    path: '/',
    ip: '10.0.0.7',
    now: Date.parse('2026-03-04T10:00:00Z'),
    ...fields,
  };
}

/** The same request, anonymous. */
export function anonymous(fields: Partial<PolicyInput> = {}): PolicyInput {
  const request = input(fields);
  delete request.user;
  return request;
}
