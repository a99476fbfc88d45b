import type { AuditEvent, AuditEventName, AuditUser } from './audit/events.js';
import { resolveOptions, type ResolvedOptions } from './config/resolve-options.js';
import { extractCredentials } from './credentials/extract-credentials.js';
import { CredentialsRequiredError, InvalidTokenError, PomeriumAuthError } from './errors.js';
import type { Identity, Principal } from './identity.js';
import { checkRouteRule, decideImpersonation } from './impersonation/decide-impersonation.js';
import {
  readImpersonationAsk,
  removeImpersonationHeaders,
  type ImpersonationAsk,
} from './impersonation/impersonation-request.js';
import type { PomeriumAuthOptions } from './options.js';
import {
  explainWithRules,
  type ExplainAnswer,
  type ExplainQuestion,
} from './impersonation/explain-impersonation.js';
import { headerValue, ownHeader, type AuthRequest, type RouteRule } from './request.js';
import { verifyAssertion } from './verify/verify-assertion.js';
import { verifyServiceAccountToken } from './verify/verify-service-account.js';
import type { VerifiedCredential } from './verify/verified-credential.js';

/** The framework-free authenticator every adapter wraps. */
export interface PomeriumAuth {
  /**
   * Authenticates one request: resolves to its {@link Identity}, to `undefined` for an anonymous
   * request when `required` is false, or rejects with a {@link PomeriumAuthError}. Never rejects
   * with anything else. With several route rules (route helpers stacked on one route), the first
   * is part of the decision and each later one can only narrow it, as {@link PomeriumAuth.authorizeRoute}.
   */
  authenticate(
    request: AuthRequest,
    route?: RouteRule | readonly RouteRule[],
  ): Promise<Identity | undefined>;
  /**
   * The same decision as {@link PomeriumAuth.authenticate}, handed back as soon as it is known:
   * the {@link Identity} (or `undefined`) itself when nothing had to be awaited (a cached
   * service-account token, a verified assertion without impersonation), a `Promise` of it when a
   * key fetch, a record lookup or a directory lookup had to be; a refusal is thrown, or the
   * promise rejects, with a {@link PomeriumAuthError} and nothing else. For adapters, on the hot
   * path: answering in the same turn spares every request a promise and a trip through the
   * microtask queue. Applications should call `authenticate`.
   *
   * @example
   * ```ts
   * const decided = auth.decide(toAuthRequest(req));
   * if (decided instanceof Promise) decided.then(carryOn, answerError);
   * else carryOn(decided);
   * ```
   */
  decide(
    request: AuthRequest,
    route?: RouteRule | readonly RouteRule[],
  ): Identity | undefined | Promise<Identity | undefined>;
  /**
   * Applies a route rule to an identity an app-wide middleware already decided. It can only
   * narrow (`'forbid'`, or route grants that must also allow it); a refusal is audited as
   * `impersonation_denied` and thrown as a 403 {@link PomeriumAuthError}.
   */
  authorizeRoute(identity: Identity | undefined, request: AuthRequest, rule: RouteRule): void;
  /**
   * For routes that need a user where authentication is optional (`required: false`): returns
   * the identity, or audits `authentication_failed` and throws 401 `credentials_required`.
   */
  requireIdentity(identity: Identity | undefined, request: AuthRequest): Identity;
  /**
   * When the application refuses a verified identity (a Passport verify callback answering
   * `false`, say): audits the refusal as `authentication_failed` (the request's `authenticated`
   * event, if still queued, becomes it) and returns the 401 `invalid_token` error to answer with.
   */
  refuseIdentity(identity: Identity, request: AuthRequest, detail?: string): PomeriumAuthError;
  /** {@link explainImpersonation} with this instance's rules and directory. */
  explain(question: ExplainQuestion): Promise<ExplainAnswer>;
  /** The options as given (adapters read `onError` and `userProperty` from here). */
  readonly options: Readonly<PomeriumAuthOptions>;
  /** Start-up warnings (also reported through `logger` or `process.emitWarning`). */
  readonly warnings: readonly string[];
}

function auditUser(p: Principal | undefined): AuditUser | undefined {
  if (!p) return undefined;
  return p.email === undefined ? { id: p.id } : { id: p.id, email: p.email };
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/**
 * Creates the authenticator. All configuration is checked here: a bad option throws a
 * `PomeriumAuthConfigError` naming it, never at the first request.
 *
 * @example
 * ```ts
 * import { createPomeriumAuth } from '@pomerium-auth/core';
 *
 * const auth = createPomeriumAuth({ sharedSecret: process.env.SHARED_SECRET, audience: 'app.example.com',
 *   jwksUrl: 'https://app.example.com/.well-known/pomerium/jwks.json' });
 * const identity = await auth.authenticate({ method: req.method, url: req.url, headers: req.headers });
 * ```
 */
export function createPomeriumAuth(options: PomeriumAuthOptions = {}): PomeriumAuth {
  const resolved = resolveOptions(options);
  return {
    options: Object.freeze({ ...options }),
    warnings: Object.freeze([...resolved.warnings]),
    authenticate: async (request, route) => decide(resolved, request, route),
    decide: (request, route) => decide(resolved, request, route),
    authorizeRoute: (identity, request, rule) => authorizeRoute(resolved, identity, request, rule),
    requireIdentity: (identity, request) => requireIdentity(resolved, identity, request),
    refuseIdentity: (identity, request, detail) =>
      refuseIdentity(resolved, identity, request, detail),
    explain: (question) => explainWithRules(resolved.impersonation, resolved.directory, question),
  };
}

/**
 * Each request gets its own principal object: handlers may change `req.user` without touching the
 * cache. Copied field by field, not with `{ ...principal, groups }`: on Node 20 a spread followed by
 * more properties measured up to 1 µs per object, against 25 ns for a literal.
 */
function ownCopy(
  verified: VerifiedCredential,
  source: VerifiedCredential['source'],
): VerifiedCredential {
  const p = verified.principal;
  const principal: Principal = {
    id: p.id,
    groups: p.groups.slice(),
    kind: p.kind,
    claims: p.claims,
  };
  if (p.email !== undefined) principal.email = p.email;
  if (p.name !== undefined) principal.name = p.name;
  if (p.serviceAccountId !== undefined) principal.serviceAccountId = p.serviceAccountId;
  return verified.exp === undefined
    ? { principal, source }
    : { principal, source, exp: verified.exp };
}

/** Synchronous unless a key fetch or a record lookup has to be awaited: this is the hot path. */
function verifyCredential(
  opts: ResolvedOptions,
  request: AuthRequest,
): VerifiedCredential | undefined | Promise<VerifiedCredential> {
  const found = extractCredentials(request, opts.maxTokenBytes);
  // Pomerium has already verified whoever sent the assertion: it wins over a service-account token.
  const token =
    found.assertion !== undefined && opts.acceptAssertions
      ? found.assertion
      : opts.acceptServiceAccounts
        ? found.serviceAccount?.token
        : undefined;
  if (token === undefined) return undefined;
  // Pomerium mints a fresh assertion (new jti) for every request: caching them would only cost.
  if (token === found.assertion) return verifyAssertion(token, opts.assertionRules!);
  const source = found.serviceAccount!.source;
  // Service-account tokens are long-lived and sent again and again: the cache is for them. It
  // holds nothing but service-account tokens, so an assertion's bytes sent in a service-account
  // header can never hit it. The scheme may differ from the cached one: the source is this request's.
  const cached = opts.cache?.get(token);
  if (cached) return ownCopy(cached, source);
  const verified = verifyServiceAccountToken(token, source, opts.serviceAccountRules!);
  return verified instanceof Promise
    ? verified.then((v) => remember(opts, token, v))
    : remember(opts, token, verified);
}

/** Offers a verified service-account token to the cache; stored at its second verification (the cache's doorkeeper), so a token sent once costs nothing more. */
function remember(
  opts: ResolvedOptions,
  token: string,
  verified: VerifiedCredential,
): VerifiedCredential {
  return opts.cache?.offer(token, verified, verified.exp)
    ? ownCopy(verified, verified.source)
    : verified;
}

/** A value, or the promise of one when something had to be awaited. */
type Maybe<T> = T | Promise<T>;

/** {@link PomeriumAuth.decide}: with several route rules, the first is part of the decision and each later one can only narrow it. */
function decide(
  opts: ResolvedOptions,
  request: AuthRequest,
  route: RouteRule | readonly RouteRule[] | undefined,
): Maybe<Identity | undefined> {
  if (!Array.isArray(route)) return decideRequest(opts, request, route as RouteRule | undefined);
  const [first, ...narrowing] = route as readonly RouteRule[];
  const narrow = (identity: Identity | undefined): Identity | undefined => {
    for (const rule of narrowing) authorizeRoute(opts, identity, request, rule);
    return identity;
  };
  const decided = decideRequest(opts, request, first);
  return decided instanceof Promise ? decided.then(narrow) : narrow(decided);
}

/**
 * One request's decision, synchronous unless a credential's verification or an impersonation
 * decision has to wait (a key fetch, a record or directory lookup). Every failure, in either
 * half, is audited once and thrown (or rejected) as a `PomeriumAuthError`.
 */
function decideRequest(
  opts: ResolvedOptions,
  request: AuthRequest,
  route: RouteRule | undefined,
): Maybe<Identity | undefined> {
  let pending: ReturnType<typeof verifyCredential>;
  try {
    pending = verifyCredential(opts, request);
  } catch (thrown) {
    throw refusal(opts, request, undefined, undefined, thrown);
  }
  if (pending instanceof Promise) {
    return pending.then(
      (credential) => withCredential(opts, request, route, credential),
      (thrown: unknown) => {
        throw refusal(opts, request, undefined, undefined, thrown);
      },
    );
  }
  return withCredential(opts, request, route, pending);
}

/** The decision once the credential is known (or known to be absent). */
function withCredential(
  opts: ResolvedOptions,
  request: AuthRequest,
  route: RouteRule | undefined,
  credential: VerifiedCredential | undefined,
): Maybe<Identity | undefined> {
  let ask: ImpersonationAsk | undefined;
  try {
    if (!credential) {
      const rules = opts.impersonation;
      const askedByHeader =
        (rules.header !== undefined && ownHeader(request.headers, rules.header) !== undefined) ||
        (rules.groupsHeader !== undefined &&
          ownHeader(request.headers, rules.groupsHeader) !== undefined);
      removeImpersonationHeaders(request, rules);
      // Nobody to authorize an impersonation: that needs a credential, even on optional routes.
      if (opts.required || askedByHeader) throw new CredentialsRequiredError();
      return undefined;
    }
    const initiator = credential.principal;
    ask = readImpersonationAsk(request, initiator, opts.impersonation);
    removeImpersonationHeaders(request, opts.impersonation);
    const credentialInfo: Identity['credential'] =
      credential.exp === undefined
        ? { source: credential.source }
        : { source: credential.source, expiresAt: new Date(credential.exp * 1000) };
    if (!ask) {
      const identity: Identity = {
        user: initiator,
        initiator,
        impersonating: false,
        credential: credentialInfo,
      };
      if (opts.audit.active) {
        const e = event('authenticated', request, credential, initiator, initiator);
        decidedEvents.set(identity, e);
        opts.audit.emit(e);
      }
      return identity;
    }
    const asked = ask;
    return decideImpersonation(asked, {
      rules: opts.impersonation,
      directory: opts.directory,
      request,
      ...(route ? { route } : {}),
    })
      .then((outcome) =>
        impersonationIdentity(opts, request, credential, credentialInfo, asked, outcome),
      )
      .catch((thrown: unknown) => {
        throw refusal(opts, request, credential, asked, thrown);
      });
  } catch (thrown) {
    throw refusal(opts, request, credential, ask, thrown);
  }
}

/** The identity an impersonation decision produced, with its success event audited. */
function impersonationIdentity(
  opts: ResolvedOptions,
  request: AuthRequest,
  credential: VerifiedCredential,
  credentialInfo: Identity['credential'],
  ask: ImpersonationAsk,
  outcome: Awaited<ReturnType<typeof decideImpersonation>>,
): Identity {
  const identity: Identity = {
    user: outcome.user,
    initiator: outcome.initiator,
    impersonating: outcome.impersonating,
    credential: credentialInfo,
  };
  if (outcome.impersonating) {
    identity.impersonation = {
      via: ask.via,
      ...(ask.reason !== undefined ? { reason: ask.reason } : {}),
      ...(outcome.grant !== undefined ? { grant: outcome.grant } : {}),
    };
  }
  if (opts.audit.active) {
    const e = event(
      outcome.impersonating ? 'impersonation_granted' : 'authenticated',
      request,
      credential,
      outcome.initiator,
      outcome.user,
    );
    if (outcome.impersonating) decorate(e, ask, outcome.grant);
    decidedEvents.set(identity, e);
    opts.audit.emit(e);
  }
  return identity;
}

/**
 * What a failure becomes: a `PomeriumAuthError` as it is, anything else (a bug, never a client's
 * doing) an `invalid_token`; audited as `impersonation_denied` once a credential asked to
 * impersonate, else as `authentication_failed`.
 */
function refusal(
  opts: ResolvedOptions,
  request: AuthRequest,
  credential: VerifiedCredential | undefined,
  ask: ImpersonationAsk | undefined,
  thrown: unknown,
): PomeriumAuthError {
  const err =
    thrown instanceof PomeriumAuthError
      ? thrown
      : new InvalidTokenError(
          'malformed_token',
          `unexpected: ${thrown instanceof Error ? thrown.message : String(thrown)}`,
          thrown,
        );
  if (opts.audit.active) {
    const denied = ask !== undefined && credential !== undefined;
    const e = event(
      denied ? 'impersonation_denied' : 'authentication_failed',
      request,
      credential,
      ask?.initiator ?? credential?.principal,
      undefined,
    );
    if (denied) decorate(e, ask, undefined);
    e.error = auditError(err);
    opts.audit.emit(e);
  }
  return err;
}

function requireIdentity(
  opts: ResolvedOptions,
  identity: Identity | undefined,
  request: AuthRequest,
): Identity {
  if (identity) return identity;
  const err = new CredentialsRequiredError('this route requires authentication');
  if (opts.audit.active) {
    const e = event('authentication_failed', request, undefined, undefined, undefined);
    e.error = auditError(err);
    opts.audit.emit(e);
  }
  throw err;
}

/** The success event of each identity, while a later decision on the same request may still overturn it. */
const decidedEvents = new WeakMap<Identity, AuditEvent>();

/**
 * Audits a later refusal of an identity that was already decided. A later decision usually comes
 * before the queued success event is delivered: then that event becomes the refusal, so the
 * request still has exactly one event. Otherwise the refusal is a second event.
 */
function auditOverturn(
  opts: ResolvedOptions,
  identity: Identity,
  request: AuthRequest,
  name: AuditEventName,
  err: PomeriumAuthError,
): void {
  if (!opts.audit.active) return;
  const decided = decidedEvents.get(identity);
  const queued = decided !== undefined && opts.audit.isQueued(decided);
  const e = queued
    ? decided
    : event(
        name,
        request,
        { principal: identity.initiator, source: identity.credential.source },
        identity.initiator,
        undefined,
      );
  if (queued) {
    decidedEvents.delete(identity);
    e.event = name;
    delete e.effective_user;
    delete e.grant;
  } else if (identity.impersonating) {
    e.impersonation_target = identity.user.email ?? identity.user.id;
    if (identity.impersonation) {
      e.impersonation_via = identity.impersonation.via;
      if (identity.impersonation.reason !== undefined)
        e.impersonation_reason = identity.impersonation.reason;
    }
  }
  e.error = auditError(err);
  if (!queued) opts.audit.emit(e);
}

function refuseIdentity(
  opts: ResolvedOptions,
  identity: Identity,
  request: AuthRequest,
  detail = 'the application refused the identity',
): PomeriumAuthError {
  const err = new InvalidTokenError('rejected_by_application', detail);
  auditOverturn(opts, identity, request, 'authentication_failed', err);
  return err;
}

function authorizeRoute(
  opts: ResolvedOptions,
  identity: Identity | undefined,
  request: AuthRequest,
  rule: RouteRule,
): void {
  if (!identity) return;
  try {
    checkRouteRule(identity, request, rule);
  } catch (err) {
    if (err instanceof PomeriumAuthError)
      auditOverturn(opts, identity, request, 'impersonation_denied', err);
    throw err;
  }
}

function event(
  name: AuditEventName,
  request: AuthRequest,
  credential: VerifiedCredential | undefined,
  initiator: Principal | undefined,
  user: Principal | undefined,
): AuditEvent {
  const requestId = request.requestId ?? headerValue(request.headers, 'x-request-id');
  // Read once: from a framework's request, the address is worked out on each read (Express runs proxy-addr).
  const ip = request.ip;
  const e: AuditEvent = {
    time: new Date().toISOString(),
    event: name,
    request: {
      method: request.method,
      path: pathOf(request.url),
      ...(ip !== undefined ? { ip } : {}),
      ...(requestId !== undefined ? { request_id: requestId } : {}),
    },
  };
  const initiating = auditUser(initiator);
  const effective = auditUser(user);
  if (initiating) e.initiating_user = initiating;
  if (effective) e.effective_user = effective;
  if (credential) e.credential_source = credential.source;
  return e;
}

/** The `error` field of an audit event: the client's code and the internal reason and detail. */
function auditError(err: PomeriumAuthError): NonNullable<AuditEvent['error']> {
  return err.detail === undefined
    ? { code: err.error, reason: err.reason }
    : { code: err.error, reason: err.reason, detail: err.detail };
}

function decorate(e: AuditEvent, ask: ImpersonationAsk, grant: string | undefined): void {
  if (ask.target !== undefined) e.impersonation_target = ask.target;
  e.impersonation_via = ask.via;
  if (ask.reason !== undefined) e.impersonation_reason = ask.reason;
  if (grant !== undefined) e.grant = grant;
}
