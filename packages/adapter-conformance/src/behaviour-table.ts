import { ERROR_STATUS } from '@pomerium-auth/core';
import type {
  AuditEventName,
  CredentialSource,
  ImpersonationVia,
  PomeriumAuthErrorCode,
  PomeriumAuthReason,
  PrincipalKind,
} from '@pomerium-auth/core';
import type {
  AssertionClaimsInput,
  LegacyServiceAccountTokenOptions,
  MintAssertionOptions,
  ServiceAccountScheme,
  TestIssuer,
} from '@pomerium-auth/testing';
import type { ConformanceConfig } from './conformance-world.js';

/** The routes every conformance app serves (see the README). */
export type ConformancePath =
  | '/whoami'
  | '/forbidden-impersonation'
  | '/slow-forbidden-impersonation'
  | '/route-grants'
  | '/require-authentication'
  | '/policy';

/** Headers sent by a case. */
export type CaseHeaders = Record<string, string>;

/** Token and header makers for the rows, bound to one run's issuer. */
export interface ConformanceKit {
  issuer: TestIssuer;
  /** Assertion headers for a directory user (its email and groups as claims). */
  as(user: string, claims?: AssertionClaimsInput, options?: MintAssertionOptions): CaseHeaders;
  /** An assertion signed with the key Pomerium derives from the shared secret. */
  derivedAs(user: string): CaseHeaders;
  /** Today's service-account token for `account` (default `sa-bot`) in a header scheme. */
  sa(
    scheme?: ServiceAccountScheme,
    account?: string,
    options?: { secret?: Uint8Array | string },
  ): CaseHeaders;
  /** A historic `pomerium-cli` token, in the default scheme. */
  legacy(options: LegacyServiceAccountTokenOptions): CaseHeaders;
  /** An assertion for `user` whose payload was swapped for another user's: a bad signature. */
  tampered(user: string, claimedUser: string): CaseHeaders;
  /** An assertion for a directory user as `Authorization: Bearer <jwt>`. */
  bearer(user: string, claims?: AssertionClaimsInput): CaseHeaders;
  /** Today's service-account token for `account` (default `sa-bot`) in the `_pomerium` cookie. */
  cookie(account?: string): CaseHeaders;
  /** `x-pomerium-jwt-assertion-for`: `user`'s assertion as minted for the first route of a chain. */
  assertionFor(user: string): CaseHeaders;
}

/** An audit event the case expects (matched in order; only given fields are compared). */
export interface AuditExpectation {
  event: AuditEventName;
  initiating?: string;
  effective?: string;
  /** The impersonation reason recorded. */
  reason?: string;
  /** `error.reason` of a failure event. */
  errorReason?: PomeriumAuthReason;
}

/** A request that passes: who the handler sees. */
export interface PassOutcome {
  status: 200;
  /** Effective user id; `null` for an anonymous request. */
  user: string | null;
  initiator?: string;
  impersonating?: boolean;
  via?: ImpersonationVia;
  grant?: string;
  source?: CredentialSource;
  kind?: PrincipalKind;
  /** The id of `identity.onBehalfOf`; checked when given (`null`: none). */
  onBehalfOf?: string | null;
  /** The claim headers the handler sees, exactly; checked when given. */
  claimHeaders?: Record<string, string>;
  audit: AuditExpectation[];
}

/** A refused request: the answer is the one core's `PomeriumAuthError(error, reason)` carries. */
export interface RefusalOutcome {
  status: 400 | 401 | 403 | 503;
  error: PomeriumAuthErrorCode;
  reason: PomeriumAuthReason;
  audit: AuditExpectation[];
}

export type ConformanceOutcome = PassOutcome | RefusalOutcome;

/** One row of the table. */
export interface ConformanceCase {
  name: string;
  /** Option set of the app (default `'default'`). */
  config?: ConformanceConfig;
  method?: 'GET' | 'POST';
  path?: ConformancePath;
  send: (kit: ConformanceKit) => CaseHeaders;
  /**
   * The outcome, when the route knows its rule before deciding, and app-wide too unless
   * `appWide` says otherwise (a route rule applied after an app-wide decision can only narrow;
   * when it refuses, that is a second decision and a second audit event).
   */
  expect: ConformanceOutcome;
  /** The outcome when authentication runs app-wide and a route helper narrows afterwards. */
  appWide?: ConformanceOutcome;
  /** An adapter feature the row needs; the row is skipped when the adapter lacks it. */
  needs?: 'requireAuthentication';
}

/** Core's own code-to-status map: the table never restates it. */
const STATUS = ERROR_STATUS;

/** Passes as `user`, not impersonating. */
export function ok(user: string, more: Partial<PassOutcome> = {}): PassOutcome {
  return {
    status: 200,
    user,
    initiator: user,
    impersonating: false,
    audit: [{ event: 'authenticated', initiating: user, effective: user }],
    ...more,
  };
}
/** Passes anonymously (`required: false`); core audits nothing then. */
export function anonymous(): PassOutcome {
  return { status: 200, user: null, audit: [] };
}
/** `initiator` acts as `user`. */
export function acts(
  initiator: string,
  user: string,
  more: Partial<PassOutcome> & { reason?: string } = {},
): PassOutcome {
  const { reason, ...rest } = more;
  const event: AuditExpectation = {
    event: 'impersonation_granted',
    initiating: initiator,
    effective: user,
    ...(reason !== undefined ? { reason } : {}),
  };
  return {
    status: 200,
    user,
    initiator,
    impersonating: true,
    via: 'header',
    audit: [event],
    ...rest,
  };
}
/** Refused before anyone is known. */
export function refused(error: PomeriumAuthErrorCode, reason: PomeriumAuthReason): RefusalOutcome {
  return {
    status: STATUS[error],
    error,
    reason,
    audit: [{ event: 'authentication_failed', errorReason: reason }],
  };
}
/** Passes as `user` (acting for `initiator` when given), and a policy allowed it: two events. */
export function allowedByPolicy(user: string, initiator: string = user): PassOutcome {
  const impersonating = initiator !== user;
  return {
    status: 200,
    user,
    initiator,
    impersonating,
    audit: [
      {
        event: impersonating ? 'impersonation_granted' : 'authenticated',
        initiating: initiator,
        effective: user,
      },
      { event: 'access_granted', initiating: initiator, effective: user },
    ],
  };
}

/**
 * The gate granted `initiator` (acting as `user` when given), then a policy refused the effective
 * user: 403 `insufficient_scope`, two events.
 */
export function refusedByPolicy(initiator: string, user: string = initiator): RefusalOutcome {
  return {
    status: 403,
    error: 'insufficient_scope',
    reason: 'policy_denied',
    audit: [
      {
        event: initiator === user ? 'authenticated' : 'impersonation_granted',
        initiating: initiator,
        effective: user,
      },
      {
        event: 'access_denied',
        initiating: initiator,
        effective: user,
        errorReason: 'policy_denied',
      },
    ],
  };
}

/**
 * App-wide authentication granted `initiator` acting as `user`, then a route rule after it refused
 * the impersonation: two decisions, two events (the grant is never rewritten).
 */
export function overturned(
  initiator: string,
  user: string,
  reason: PomeriumAuthReason,
): RefusalOutcome {
  return {
    status: 403,
    error: 'impersonation_denied',
    reason,
    audit: [
      { event: 'impersonation_granted', initiating: initiator, effective: user },
      { event: 'impersonation_denied', initiating: initiator, errorReason: reason },
    ],
  };
}
/** An impersonation refused in the one decision. */
export function denied(
  reason: PomeriumAuthReason,
  initiator: string,
  error: PomeriumAuthErrorCode = 'impersonation_denied',
): RefusalOutcome {
  return {
    status: STATUS[error],
    error,
    reason,
    audit: [{ event: 'impersonation_denied', initiating: initiator, errorReason: reason }],
  };
}

const imp = (target: string, more: CaseHeaders = {}): CaseHeaders => ({
  'impersonate-user': target,
  ...more,
});
const legacyAlice = { sub: 'alice', email: 'alice@corp.example', groups: ['admins'] };

/**
 * The behaviour table: one line per case. A new case is one more line.
 */
export const CONFORMANCE_CASES: readonly ConformanceCase[] = Object.freeze([
  // Credentials (core README: Credentials)
  {
    name: 'accepts a Pomerium assertion',
    send: (k) => k.as('alice'),
    expect: ok('alice', { source: 'assertion', kind: 'user' }),
  },
  {
    name: 'accepts a service-account token in x-pomerium-authorization',
    send: (k) => k.sa('x-pomerium-authorization'),
    expect: ok('svc-bot', { source: 'x-pomerium-authorization', kind: 'service-account' }),
  },
  {
    name: 'accepts a service-account token as Authorization: Pomerium',
    send: (k) => k.sa('authorization-pomerium'),
    expect: ok('svc-bot', { source: 'authorization-pomerium', kind: 'service-account' }),
  },
  {
    name: 'accepts a service-account token as Authorization: Bearer Pomerium-',
    send: (k) => k.sa('authorization-bearer-pomerium'),
    expect: ok('svc-bot', { source: 'authorization-bearer-pomerium', kind: 'service-account' }),
  },
  {
    name: 'accepts a historic pomerium-cli token',
    send: (k) => k.legacy({ sub: 'bob', email: 'bob@corp.example', groups: ['staff'] }),
    expect: ok('bob', { source: 'authorization-bearer-pomerium', kind: 'service-account' }),
  },
  {
    name: 'accepts an assertion signed with the key derived from the shared secret',
    config: 'derived-key',
    send: (k) => k.derivedAs('alice'),
    expect: ok('alice', { source: 'assertion' }),
  },
  {
    name: 'prefers the assertion over a service-account token',
    send: (k) => ({ ...k.sa('authorization-bearer-pomerium'), ...k.as('alice') }),
    expect: ok('alice', { source: 'assertion' }),
  },
  // Errors (core README: Errors)
  {
    name: 'answers 401 credentials_required without a credential',
    send: () => ({}),
    expect: refused('credentials_required', 'no_credentials'),
  },
  {
    name: 'does not take a plain Bearer token as a Pomerium credential',
    send: (k) => ({ authorization: `Bearer ${k.issuer.mintAssertion({ sub: 'alice' })}` }),
    expect: refused('credentials_required', 'no_credentials'),
  },
  {
    name: 'answers 400 to a malformed credential',
    send: () => ({ authorization: 'Pomerium not-a-jwt' }),
    expect: refused('invalid_request', 'malformed_credential'),
  },
  {
    name: 'answers 400 to two different service-account tokens',
    send: (k) => ({
      ...k.sa('x-pomerium-authorization'),
      authorization: `Pomerium ${k.issuer.mintServiceAccountToken({ id: 'sa-bot', userId: 'other' })}`,
    }),
    expect: refused('invalid_request', 'ambiguous_credentials'),
  },
  {
    name: 'answers 400 to a token over maxTokenBytes',
    send: (k) => k.as('alice', { pad: 'x'.repeat(5000) }),
    expect: refused('invalid_request', 'token_too_large'),
  },
  {
    name: 'answers 401 invalid_token to an expired assertion',
    send: (k) => k.as('alice', {}, { now: Math.floor(Date.now() / 1000) - 3600 }),
    expect: refused('invalid_token', 'token_expired'),
  },
  {
    name: 'answers 401 invalid_token to a bad signature',
    send: (k) => k.tampered('bob', 'alice'),
    expect: refused('invalid_token', 'bad_signature'),
  },
  {
    name: 'answers 401 invalid_token to a wrong audience',
    send: (k) => k.as('alice', { aud: 'other.example.com' }),
    expect: refused('invalid_token', 'audience_mismatch'),
  },
  {
    name: 'answers 401 invalid_token to a wrong issuer',
    send: (k) => k.as('alice', { iss: 'evil.example.com' }),
    expect: refused('invalid_token', 'issuer_mismatch'),
  },
  {
    name: 'answers 401 invalid_token to an unknown service account',
    send: (k) => k.sa('authorization-pomerium', 'sa-ghost'),
    expect: refused('invalid_token', 'unknown_service_account'),
  },
  {
    name: 'answers 401 invalid_token to an expired service-account record',
    send: (k) => k.sa('authorization-pomerium', 'sa-expired'),
    expect: refused('invalid_token', 'service_account_expired'),
  },
  {
    name: 'answers 401 invalid_token to a service-account token signed with another secret',
    send: (k) => k.sa('authorization-pomerium', 'sa-bot', { secret: Buffer.alloc(32, 7) }),
    expect: refused('invalid_token', 'bad_signature'),
  },
  {
    name: 'answers 503 with Retry-After when no key can be had',
    config: 'keys-down',
    send: (k) => k.as('alice'),
    expect: refused('temporarily_unavailable', 'keys_unavailable'),
  },
  // Impersonation granted (core README: Impersonation)
  {
    name: 'lets an admin act as a user by header',
    send: (k) => ({ ...k.as('alice'), ...imp('user_1') }),
    expect: acts('alice', 'user_1', { grant: 'admins' }),
  },
  {
    name: 'lets an admin act as a user named by email',
    send: (k) => ({ ...k.as('alice'), ...imp('USER1@corp.example') }),
    expect: acts('alice', 'user_1'),
  },
  {
    name: 'lets an admin act as a member of a granted group',
    send: (k) => ({ ...k.as('alice'), ...imp('carol') }),
    expect: acts('alice', 'carol'),
  },
  {
    name: 'records the impersonation reason in the audit event',
    send: (k) => ({ ...k.as('alice'), ...imp('user_2', { 'impersonate-reason': 'ticket 42' }) }),
    expect: acts('alice', 'user_2', { reason: 'ticket 42' }),
  },
  {
    name: 'honours sg_impersonate_as when configured',
    config: 'sg-header',
    send: (k) => ({ ...k.as('alice'), sg_impersonate_as: 'user_1' }),
    expect: acts('alice', 'user_1'),
  },
  {
    name: 'honours impersonate_email of a historic token',
    send: (k) => k.legacy({ ...legacyAlice, impersonate_email: 'user1@corp.example' }),
    expect: acts('alice', 'user_1', {
      via: 'token-claims',
      source: 'authorization-bearer-pomerium',
    }),
  },
  {
    name: 'lets a read-only grant read',
    send: (k) => ({ ...k.as('frank'), ...imp('user_1') }),
    expect: acts('frank', 'user_1', { grant: 'auditors' }),
  },
  {
    name: 'does not count acting as oneself as impersonation, and still removes the header',
    send: (k) => ({ ...k.as('alice'), ...imp('alice') }),
    expect: ok('alice'),
  },
  {
    name: 'lets a route without impersonation through forbidImpersonation',
    path: '/forbidden-impersonation',
    send: (k) => k.as('alice'),
    expect: ok('alice'),
  },
  // Impersonation refused: always the same 403 body
  {
    name: 'refuses impersonation without a grant',
    send: (k) => ({ ...k.as('bob'), ...imp('user_1') }),
    expect: denied('not_allowed', 'bob'),
  },
  {
    name: 'refuses a protected target',
    send: (k) => ({ ...k.as('alice'), ...imp('root') }),
    expect: denied('protected_target', 'alice'),
  },
  {
    name: 'refuses a target in a protected group',
    send: (k) => ({ ...k.as('alice'), ...imp('user_admin') }),
    expect: denied('protected_target', 'alice'),
  },
  {
    name: 'refuses an unknown target',
    send: (k) => ({ ...k.as('alice'), ...imp('user_ghost') }),
    expect: denied('unknown_target', 'alice'),
  },
  {
    name: 'refuses groups the grant does not give',
    send: (k) => ({ ...k.as('alice'), ...imp('user_1', { 'impersonate-group': 'admins' }) }),
    expect: denied('group_not_allowed', 'alice'),
  },
  {
    name: 'refuses chaining: a header on top of token claims',
    send: (k) => ({
      ...k.legacy({ ...legacyAlice, impersonate_email: 'user1@corp.example' }),
      ...imp('user_2'),
    }),
    expect: denied('chaining', 'alice'),
  },
  {
    name: 'refuses a write under a read-only grant',
    method: 'POST',
    send: (k) => ({ ...k.as('frank'), ...imp('user_1') }),
    expect: denied('read_only', 'frank'),
  },
  {
    name: 'refuses impersonation on a forbidImpersonation route',
    path: '/forbidden-impersonation',
    send: (k) => ({ ...k.as('alice'), ...imp('user_1') }),
    expect: denied('forbidden_on_route', 'alice'),
    appWide: overturned('alice', 'user_1', 'forbidden_on_route'),
  },
  {
    name: 'audits the same events when an async middleware runs before forbidImpersonation',
    path: '/slow-forbidden-impersonation',
    send: (k) => ({ ...k.as('alice'), ...imp('user_1') }),
    expect: denied('forbidden_on_route', 'alice'),
    appWide: overturned('alice', 'user_1', 'forbidden_on_route'),
  },
  {
    name: 'asks for a credential when impersonation is asked without one',
    send: () => imp('user_1'),
    expect: refused('credentials_required', 'no_credentials'),
  },
  {
    name: 'answers 400 when a required reason is missing',
    config: 'require-reason',
    send: (k) => ({ ...k.as('alice'), ...imp('user_1') }),
    expect: denied('reason_required', 'alice', 'invalid_request'),
  },
  {
    name: 'passes with a required reason',
    config: 'require-reason',
    send: (k) => ({ ...k.as('alice'), ...imp('user_1', { 'impersonate-reason': 'INC-7' }) }),
    expect: acts('alice', 'user_1', { reason: 'INC-7' }),
  },
  // Route grants: before the route's authentication they replace the global grants; after app-wide authentication they narrow
  {
    name: 'route grants let the helpdesk read as a user',
    path: '/route-grants',
    send: (k) => ({ ...k.as('dave'), ...imp('user_1') }),
    expect: acts('dave', 'user_1', { grant: 'helpdesk' }),
    appWide: denied('not_allowed', 'dave'),
  },
  {
    name: 'route grants replace or narrow the global grants',
    path: '/route-grants',
    send: (k) => ({ ...k.as('alice'), ...imp('user_1') }),
    expect: denied('not_allowed', 'alice'),
    appWide: overturned('alice', 'user_1', 'not_allowed'),
  },
  {
    name: 'route grants allow a user both grant sets name',
    path: '/route-grants',
    send: (k) => ({ ...k.as('erin'), ...imp('user_1') }),
    expect: acts('erin', 'user_1', { grant: 'helpdesk' }),
    appWide: acts('erin', 'user_1', { grant: 'admins' }),
  },
  {
    name: 'read-only route grants refuse a write',
    path: '/route-grants',
    method: 'POST',
    send: (k) => ({ ...k.as('erin'), ...imp('user_1') }),
    expect: denied('read_only', 'erin'),
    appWide: overturned('erin', 'user_1', 'read_only'),
  },
  // Optional authentication (required: false)
  {
    name: 'passes an anonymous request when authentication is optional',
    config: 'optional',
    send: () => ({}),
    expect: anonymous(),
  },
  {
    name: 'still authenticates a credential when authentication is optional',
    config: 'optional',
    send: (k) => k.as('alice'),
    expect: ok('alice'),
  },
  {
    name: 'still refuses a bad credential when authentication is optional',
    config: 'optional',
    send: (k) => k.as('alice', { aud: 'other.example.com' }),
    expect: refused('invalid_token', 'audience_mismatch'),
  },
  {
    name: 'still asks for a credential with an impersonation header when optional',
    config: 'optional',
    send: () => imp('user_1'),
    expect: refused('credentials_required', 'no_credentials'),
  },
  {
    name: 'requireAuthentication answers 401 to an anonymous request',
    config: 'optional',
    path: '/require-authentication',
    needs: 'requireAuthentication',
    send: () => ({}),
    expect: refused('credentials_required', 'no_credentials'),
  },
  {
    name: 'requireAuthentication passes an authenticated request',
    config: 'optional',
    path: '/require-authentication',
    needs: 'requireAuthentication',
    send: (k) => k.as('alice'),
    expect: ok('alice'),
  },
  // onError: 'next': the framework's own error handling answers, with the error's status and headers
  {
    name: 'hands a missing credential to the framework',
    config: 'next',
    send: () => ({}),
    expect: refused('credentials_required', 'no_credentials'),
  },
  {
    name: 'hands an invalid token to the framework',
    config: 'next',
    send: (k) => k.as('alice', {}, { now: Math.floor(Date.now() / 1000) - 3600 }),
    expect: refused('invalid_token', 'token_expired'),
  },
  {
    name: 'hands a refused impersonation to the framework',
    config: 'next',
    send: (k) => ({ ...k.as('bob'), ...imp('user_1') }),
    expect: denied('not_allowed', 'bob'),
  },
  {
    name: 'hands a malformed credential to the framework',
    config: 'next',
    send: () => ({ authorization: 'Pomerium x' }),
    expect: refused('invalid_request', 'malformed_credential'),
  },
  {
    name: 'passes a valid request on to the route when errors go to the framework',
    config: 'next',
    send: (k) => k.as('alice'),
    expect: ok('alice'),
  },
  {
    name: 'hands a policy refusal to the framework',
    config: 'next',
    path: '/policy',
    send: (k) => k.as('alice'),
    expect: refusedByPolicy('alice'),
  },
  // Policies (Pomerium's policy language) on the effective user
  {
    name: 'a route policy allows a user it names',
    path: '/policy',
    send: (k) => k.as('bob'),
    expect: allowedByPolicy('bob'),
  },
  {
    name: 'a route policy refuses a user it does not name: 403 insufficient_scope',
    path: '/policy',
    send: (k) => k.as('alice'),
    expect: refusedByPolicy('alice'),
  },
  {
    name: 'an admin acting as user_1 is allowed where user_1 is',
    path: '/policy',
    send: (k) => ({ ...k.as('alice'), ...imp('user_1') }),
    expect: allowedByPolicy('user_1', 'alice'),
  },
  {
    name: 'an admin acting as carol is refused where carol is',
    path: '/policy',
    send: (k) => ({ ...k.as('alice'), ...imp('carol') }),
    expect: refusedByPolicy('alice', 'carol'),
  },
  {
    name: 'a route policy refuses a service account outside it',
    path: '/policy',
    send: (k) => k.sa(),
    expect: refusedByPolicy('svc-bot'),
  },
  {
    name: 'a route policy refuses an anonymous request with 401',
    config: 'optional',
    path: '/policy',
    send: () => ({}),
    expect: {
      status: 401,
      error: 'credentials_required',
      reason: 'no_credentials',
      audit: [{ event: 'access_denied', errorReason: 'no_credentials' }],
    },
  },
  {
    name: 'the app-wide policy allows every authenticated request it names',
    config: 'app-policy',
    send: (k) => k.as('bob'),
    expect: allowedByPolicy('bob'),
  },
  {
    name: 'the app-wide policy refuses a user its deny names',
    config: 'app-policy',
    send: (k) => k.as('frank'),
    expect: refusedByPolicy('frank'),
  },
  {
    name: 'the app-wide policy is judged on the impersonated user',
    config: 'app-policy',
    send: (k) => ({ ...k.as('frank'), ...imp('user_1') }),
    // frank alone is refused (auditors); acting as user_1, user_1's answer applies.
    expect: { ...allowedByPolicy('user_1', 'frank'), grant: 'auditors' },
  },
  {
    name: 'the app-wide and the route policy must both allow',
    config: 'app-policy',
    path: '/policy',
    send: (k) => k.as('bob'),
    expect: {
      status: 200,
      user: 'bob',
      initiator: 'bob',
      audit: [
        { event: 'authenticated', initiating: 'bob', effective: 'bob' },
        { event: 'access_granted', initiating: 'bob' },
        { event: 'access_granted', initiating: 'bob' },
      ],
    },
  },
  {
    name: 'the app-wide policy passes an anonymous request by (it applies to authenticated requests)',
    config: 'optional',
    send: () => ({}),
    expect: anonymous(),
  },
  // Pomerium's other identity channels (option set 'channels': every source on, assertionFor, claimHeaders 'verify')
  {
    name: 'accepts the assertion as Authorization: Bearer when enabled',
    config: 'channels',
    send: (k) => k.bearer('alice'),
    expect: ok('alice', { source: 'authorization-bearer-assertion' }),
  },
  {
    name: 'does not read the assertion as Authorization: Bearer unless enabled',
    send: (k) => k.bearer('alice'),
    expect: refused('credentials_required', 'no_credentials'),
  },
  {
    name: 'refuses a service-account token as Authorization: Bearer (assertion keys only)',
    config: 'channels',
    send: (k) => ({
      authorization: `Bearer ${k.issuer.mintServiceAccountToken({ id: 'sa-bot', userId: 'svc-bot' })}`,
    }),
    expect: refused('invalid_token', 'algorithm_not_allowed'),
  },
  {
    name: 'accepts a service-account token in the _pomerium cookie when enabled',
    config: 'channels',
    send: (k) => k.cookie(),
    expect: ok('svc-bot', { source: 'cookie', kind: 'service-account' }),
  },
  {
    name: 'does not read the _pomerium cookie unless enabled',
    send: (k) => k.cookie(),
    expect: refused('credentials_required', 'no_credentials'),
  },
  {
    name: 'an assertion wins over the cookie',
    config: 'channels',
    send: (k) => ({ ...k.cookie(), ...k.as('alice') }),
    expect: ok('alice', { source: 'assertion' }),
  },
  {
    name: 'exposes x-pomerium-jwt-assertion-for as onBehalfOf, never as the user',
    config: 'channels',
    send: (k) => ({ ...k.sa(), ...k.assertionFor('alice') }),
    expect: ok('svc-bot', { onBehalfOf: 'alice' }),
  },
  {
    name: 'refuses a forged x-pomerium-jwt-assertion-for like a bad assertion',
    config: 'channels',
    send: (k) => ({
      ...k.sa(),
      'x-pomerium-jwt-assertion-for': k.tampered('bob', 'alice')['x-pomerium-jwt-assertion']!,
    }),
    expect: refused('invalid_token', 'bad_signature'),
  },
  {
    name: 'keeps claim headers that match the signed assertion',
    config: 'channels',
    send: (k) => ({ ...k.as('alice'), 'x-pomerium-claim-email': 'alice@corp.example' }),
    expect: ok('alice', { claimHeaders: { 'x-pomerium-claim-email': 'alice@corp.example' } }),
  },
  {
    name: 'answers 400 to a claim header that does not match the signed assertion',
    config: 'channels',
    send: (k) => ({ ...k.as('alice'), 'x-pomerium-claim-email': 'root@corp.example' }),
    expect: refused('invalid_request', 'claim_header_mismatch'),
  },
  {
    name: 'removes claim headers when no assertion signed them',
    config: 'channels',
    send: (k) => ({ ...k.sa(), 'x-pomerium-claim-email': 'root@corp.example' }),
    expect: ok('svc-bot', { claimHeaders: {} }),
  },
] satisfies ConformanceCase[]);
