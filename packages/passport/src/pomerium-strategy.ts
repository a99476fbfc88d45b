import PassportStrategy from 'passport-strategy';
import {
  createPomeriumAuth,
  isPomeriumAuthError,
  toAuthRequest,
  type Identity,
  type PomeriumAuth,
  type PomeriumAuthError,
  type PomeriumAuthOptions,
  type RouteRule,
} from '@pomerium-auth/core';
import { recordFailure } from './pomerium-auth-error-of.js';
import type { PassportRequest } from './passport-request.js';

/** The suite's one options object (core's README, Options), plus Passport's `passReqToCallback`. */
export interface PomeriumStrategyOptions extends PomeriumAuthOptions {
  /** Pass the request as the verify callback's first argument. */
  passReqToCallback?: boolean;
}

/** The verify callback's `done`: `done(null, user, info?)`, `done(null, false)` to refuse, `done(err)` for a server error. */
export type VerifyDone = (err: unknown, user?: unknown, info?: unknown) => void;
/** Maps a verified identity to the application's own user. */
export type VerifyFunction = (identity: Identity, done: VerifyDone) => void;
/** The same, with the request first (`passReqToCallback: true`). */
export type VerifyFunctionWithRequest = (
  req: PassportRequest,
  identity: Identity,
  done: VerifyDone,
) => void;

/** Per-call options of `passport.authenticate('pomerium', { ... })` read by the strategy. */
export interface PomeriumAuthenticateOptions {
  /**
   * This route's rule (`{ impersonation: 'forbid' }` or `{ impersonation: { grants } }`), part of
   * the one decision; several rules: the first is part of it, each later one can only narrow it.
   */
  route?: RouteRule | readonly RouteRule[];
}

/** Where `@pomerium-auth/nest`, when loaded, leaves its start-up check of route guards. */
const NEST_ROUTE_GUARDS_CHECK = Symbol.for('@pomerium-auth/nest.checkRouteGuards');

/** The actions Passport gives a strategy for each request. */
interface StrategyActions {
  success(user: unknown, info?: unknown): void;
  fail(challenge?: unknown, status?: number): void;
  pass(): void;
  error(err: unknown): void;
}

// passport-strategy's base class, typed here so that the published types need no @types package.
const Strategy = PassportStrategy as unknown as new () => StrategyActions;

/**
 * Passport strategy `pomerium`: accepts Pomerium's identity assertion and service-account tokens
 * in all three header schemes, with impersonation, through `@pomerium-auth/core`. Follows
 * passport-http-bearer's conventions:
 *
 * - success: `user` is the effective principal (or what the verify callback gives), `info` the
 *   `Identity`; `req.pomerium` is set as the Express adapter does.
 * - 400 and 401: `fail(challenge, status)` with the RFC 6750 `WWW-Authenticate` challenge;
 *   403 `impersonation_denied`: `fail(description, 403)`; 503: `error(err)` (a server-side
 *   failure, not a bad credential). `pomeriumAuthErrorOf(req)` gives the whole error.
 * - no credential with `required: false`: `pass()` (anonymous).
 *
 * @param options - the suite's one options object, plus `passReqToCallback`.
 * @param verify - maps the verified `Identity` to your user: `done(null, user)`, or
 *   `done(null, false)` to refuse (401 `invalid_token`, reason `rejected_by_application`).
 * @throws {PomeriumAuthConfigError} at construction, for invalid options.
 *
 * @example
 * ```ts
 * passport.use(new PomeriumStrategy({ jwksUrl, audience: 'app.example.com', sharedSecret }));
 * app.get('/me', passport.authenticate('pomerium', { session: false }), (req, res) => res.json(req.user));
 * ```
 */
export class PomeriumStrategy extends Strategy {
  /** Passport's strategy name. */
  name = 'pomerium';
  /** The core authenticator (for `explain`, or to share with other code). */
  readonly auth: PomeriumAuth;
  // Plain properties, not #private: Passport calls authenticate on Object.create(strategy).
  private readonly _verify: VerifyFunction | VerifyFunctionWithRequest | undefined;
  private readonly _passReqToCallback: boolean;

  constructor(
    options: PomeriumStrategyOptions & { passReqToCallback: true },
    verify: VerifyFunctionWithRequest,
  );
  constructor(options?: PomeriumStrategyOptions, verify?: VerifyFunction);
  constructor(
    options: PomeriumStrategyOptions = {},
    verify?: VerifyFunction | VerifyFunctionWithRequest,
  ) {
    super();
    if (verify !== undefined && typeof verify !== 'function')
      throw new TypeError('PomeriumStrategy: verify must be a function');
    const { passReqToCallback, ...authOptions } = options;
    this.auth = createPomeriumAuth(authOptions);
    this._verify = verify;
    this._passReqToCallback = passReqToCallback === true;
  }

  /**
   * Called by NestJS when the strategy is a provider (`PassportStrategy(PomeriumStrategy,
   * 'pomerium')`): with `@pomerium-auth/nest` loaded, the app does not start if one of its
   * route decorators sits on a route that only `AuthGuard('pomerium')` guards, which cannot
   * read them (use `PomeriumPassportGuard` from `@pomerium-auth/nest/passport`). Outside NestJS
   * nothing calls it.
   */
  async onApplicationBootstrap(): Promise<void> {
    const check = (globalThis as Record<symbol, unknown>)[NEST_ROUTE_GUARDS_CHECK];
    if (typeof check === 'function') await (check as () => Promise<void>)();
  }

  /** Called by Passport for each request. */
  authenticate(req: PassportRequest, options?: PomeriumAuthenticateOptions): void {
    // `this` is Passport's per-request copy of the strategy, holding the actions.
    const actions = this as unknown as StrategyActions;
    const refuse = (err: PomeriumAuthError): void => {
      recordFailure(req, err);
      if (err.status >= 500) return actions.error(err);
      actions.fail(err.headers['WWW-Authenticate'] ?? err.description, err.status);
    };
    const request = toAuthRequest(req);
    this.auth.authenticate(request, options?.route).then(
      (identity) => {
        if (!identity) return actions.pass();
        const done: VerifyDone = (err, user, info) => {
          if (err) return actions.error(err);
          if (!user)
            return refuse(
              this.auth.refuseIdentity(
                identity,
                request,
                'the verify callback refused the principal',
              ),
            );
          req.pomerium = identity;
          actions.success(user, info ?? identity);
        };
        if (!this._verify) return done(null, identity.user);
        try {
          if (this._passReqToCallback)
            (this._verify as VerifyFunctionWithRequest)(req, identity, done);
          else (this._verify as VerifyFunction)(identity, done);
        } catch (err) {
          actions.error(err);
        }
      },
      (err: unknown) => (isPomeriumAuthError(err) ? refuse(err) : actions.error(err)),
    );
  }
}
