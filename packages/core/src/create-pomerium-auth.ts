import { resolveOptions, type AdapterSettings } from './config/resolve-options.js';
import { decideRequest } from './decide/decide-request.js';
import { narrowRoute, refuseIdentity, requireIdentity } from './decide/later-decisions.js';
import type { PomeriumAuthError } from './errors.js';
import type { Identity } from './identity.js';
import {
  explainDecision,
  type ExplainAnswer,
  type ExplainQuestion,
} from './explain/explain-decision.js';
import type { PomeriumAuthOptions } from './options.js';
import { withLowerCaseHeaderNames as own, type AuthRequest } from './request.js';
import type { RouteRule } from './route/route-rule.js';
import type { VerifiedCredential } from './verify/verified-credential.js';

/** The framework-free authenticator every adapter wraps. */
export interface PomeriumAuth {
  /**
   * Authenticates one request: resolves to its {@link Identity}, to `undefined` for an anonymous
   * request when `required` is false, or rejects with a {@link PomeriumAuthError}. Never rejects
   * with anything else. With several route rules (route helpers stacked on one route), the first
   * that names impersonation is part of the decision and each later one can only narrow it, as
   * {@link PomeriumAuth.authorizeRoute}.
   *
   * @param request - the request, e.g. `toAuthRequest(req)`.
   * @param route - the route's rule or rules (from the adapters' route helpers).
   * @throws {PomeriumAuthError} (as a rejection) for every refusal.
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
   * narrow (`'forbid'`, route grants that must also allow it, a user required); a refusal is
   * audited as its own event and thrown as a {@link PomeriumAuthError}.
   *
   * @throws {PomeriumAuthError} 403 `impersonation_denied`, or 401 `credentials_required`.
   */
  authorizeRoute(identity: Identity | undefined, request: AuthRequest, rule: RouteRule): void;
  /**
   * For routes that need a user where authentication is optional (`required: false`): returns
   * the identity, or audits `authentication_failed` and throws 401 `credentials_required`.
   *
   * @throws {PomeriumAuthError} 401 `credentials_required` for an anonymous request.
   */
  requireIdentity(identity: Identity | undefined, request: AuthRequest): Identity;
  /**
   * When the application refuses a verified identity (a Passport verify callback answering
   * `false`, say): audits the refusal as its own `authentication_failed` event and returns the
   * 401 `invalid_token` error to answer with.
   */
  refuseIdentity(identity: Identity, request: AuthRequest, detail?: string): PomeriumAuthError;
  /**
   * Drops cached verifications at once: of one service account (its `jti`), or all of them.
   * Returns how many were dropped. With `serviceAccounts` configured a deleted record already
   * refuses a cached token at its next request; this is for tokens without records.
   *
   * @example
   * ```ts
   * auth.invalidate('sa-7'); // after revoking sa-7 in isRevoked's store
   * ```
   */
  invalidate(serviceAccountId?: string): number;
  /**
   * A dry run of this instance's impersonation rules and policies ({@link explainImpersonation}):
   * may this initiator (acting as that target) make this request, and what decides. Nothing is
   * audited.
   */
  explain(question: ExplainQuestion): Promise<ExplainAnswer>;
  /**
   * Lets go of what the authenticator holds outside its own objects: its share of the signature
   * worker threads (option `assertionVerification`), which end when the last authenticator
   * using them is closed. Resolves once they have. Later requests are still decided, their
   * signatures checked on the main thread. Calling it again does nothing more. Never needed for
   * the process to exit: idle workers never keep it alive.
   *
   * @example
   * ```ts
   * server.close();
   * await auth.close();
   * ```
   */
  close(): Promise<void>;
  /** The options as given. */
  readonly options: Readonly<PomeriumAuthOptions>;
  /** What adapters read: `onError` and `userProperty`, resolved with their defaults. */
  readonly settings: AdapterSettings;
  /** Start-up warnings (also reported through `logger` or `process.emitWarning`). */
  readonly warnings: readonly string[];
}

/**
 * Creates the authenticator. All configuration is checked here: a bad option throws a
 * `PomeriumAuthConfigError` naming it, never at the first request.
 *
 * @param options - the suite's one options object (the core README, "Options").
 * @throws {PomeriumAuthConfigError} for any invalid option; `err.option` names it.
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
  const cache = resolved.credentials.cache;
  return {
    options: Object.freeze({ ...options }),
    settings: resolved.settings,
    warnings: Object.freeze([...resolved.warnings]),
    // Every method that takes a request hands core its header names in lower case (`own`):
    // header names are case-insensitive, and core reads and removes them by lower-case name.
    authenticate: async (request, route) => decideRequest(resolved, own(request), route),
    decide: (request, route) => decideRequest(resolved, own(request), route),
    authorizeRoute: (identity, request, rule) =>
      narrowRoute(resolved, identity, own(request), rule),
    requireIdentity: (identity, request) => requireIdentity(resolved, identity, own(request)),
    refuseIdentity: (identity, request, detail) =>
      refuseIdentity(resolved, identity, own(request), detail),
    invalidate: (serviceAccountId) =>
      cache === undefined
        ? 0
        : cache.invalidate(
            serviceAccountId === undefined
              ? undefined
              : (v: VerifiedCredential) => v.principal.serviceAccountId === serviceAccountId,
          ),
    explain: (question) =>
      explainDecision(
        {
          impersonation: resolved.impersonation,
          directory: resolved.directory,
          policy: resolved.policy,
          lookupTimeout: resolved.lookupTimeout,
        },
        question,
      ),
    close: () => resolved.signatureWorkers?.release() ?? Promise.resolve(),
  };
}
