import type { PomeriumAuth } from '../create-pomerium-auth.js';
import type { Identity } from '../identity.js';
import type { AuthRequest } from '../request.js';
import type { Grant } from '../options.js';
import type { CompiledPolicy } from '../policy/compile-policy.js';
import type { PolicyDocument } from '../policy/policy-document.js';
import { defineRouteRule, type RouteRule } from './route-rule.js';

/** What a gate knows of a request that was decided. */
export interface RouteDecision {
  /** The authenticator that decided it. */
  auth: PomeriumAuth;
  /** What it decided: the identity, or `undefined` for an anonymous request. */
  identity: Identity | undefined;
}

/**
 * The bookkeeping between an authentication middleware and the route helpers of one request,
 * written once here for every adapter: a route helper placed **before** the route's
 * authentication leaves its rule for the one decision (route grants then replace the global
 * ones); placed **after** an app-wide authentication, it can only narrow what was decided.
 * Requests are keyed by the framework's own object (Express `req`, Koa `ctx`, Hono's context);
 * the state lives in a `WeakMap`, never in properties of that object.
 */
export interface RouteGate<K extends object> {
  /**
   * The authentication middleware's decision: `auth.decide` with the route's own rule (`route`,
   * when the framework knows it at this point, as Fastify's route `config` or Nest's metadata)
   * first, then the rules route helpers left before it. Remembers the decision for the helpers
   * after it. Throws (or rejects with) the `PomeriumAuthError` of a refusal, already audited.
   */
  decide(
    auth: PomeriumAuth,
    key: K,
    request: AuthRequest,
    route?: RouteRule,
  ): ReturnType<PomeriumAuth['decide']>;
  /**
   * A route helper's rule: left for the decision when the request is not decided yet, applied
   * as a narrowing (`auth.authorizeRoute`) when it is. Throws the refusal, already audited.
   */
  apply(key: K, rule: RouteRule, request: () => AuthRequest): void;
  /**
   * "This route needs a user", placed after the authentication middleware: throws 401
   * `credentials_required` (audited) for an anonymous request. Without a decision before it, it
   * fails closed with a plain `Error` (a server error, never a pass).
   */
  require(key: K, request: () => AuthRequest): void;
  /** The decision of a request, if one was made. */
  decided(key: K): RouteDecision | undefined;
  /**
   * The route helpers every adapter offers, built once: `wrap` turns a step (this gate's
   * `apply` with the helper's rule, or its `require`) into the framework's middleware, with the
   * framework's way of answering a refusal. Rules are checked when a helper is called (at route
   * definition), so a bad grant or policy fails at start-up.
   */
  helpers<H>(wrap: (step: RouteStep<K>) => H): RouteHelpers<H>;
}

/** One route helper's work on a request: throws its refusal (a `PomeriumAuthError`), or returns. */
export type RouteStep<K extends object> = (key: K, request: () => AuthRequest) => void;

/** The route helpers of an adapter, as {@link RouteGate.helpers} builds them. */
export interface RouteHelpers<H> {
  /** Refuses impersonation on the route (`{ impersonation: 'forbid' }`). */
  forbidImpersonation(): H;
  /** The route's own impersonation grants (`{ impersonation: { grants } }`). */
  allowImpersonation(grants: Grant[]): H;
  /** A policy the effective user must pass on the route (`{ policy }`). */
  requirePolicy(policy: PolicyDocument | CompiledPolicy): H;
  /** An identity required on the route, after an optional authentication. */
  requireAuthentication(): H;
}

interface GateState {
  decision?: RouteDecision;
  /** Rules waiting for the route's own authentication. */
  pending?: RouteRule[];
}

/**
 * Creates a {@link RouteGate} (one per adapter package).
 *
 * @example
 * ```ts
 * const gate = createRouteGate<Request>();
 * // authentication middleware
 * const decided = gate.decide(auth, req, toAuthRequest(req));
 * // forbidImpersonation()
 * gate.apply(req, { impersonation: 'forbid' }, () => toAuthRequest(req));
 * ```
 */
export function createRouteGate<K extends object>(): RouteGate<K> {
  const states = new WeakMap<K, GateState>();

  const remember = (
    key: K,
    auth: PomeriumAuth,
    identity: Identity | undefined,
  ): Identity | undefined => {
    const state = states.get(key);
    const decision = { auth, identity };
    if (state === undefined) states.set(key, { decision });
    else {
      state.decision = decision;
      state.pending = undefined;
    }
    return identity;
  };

  const gate: RouteGate<K> = {
    decide(auth, key, request, route) {
      const pending = states.get(key)?.pending;
      const rules =
        route === undefined ? pending : pending === undefined ? route : [route, ...pending];
      const decided = auth.decide(request, rules);
      return decided instanceof Promise
        ? decided.then((identity) => remember(key, auth, identity))
        : remember(key, auth, decided);
    },
    apply(key, rule, request) {
      const state = states.get(key);
      const decision = state?.decision;
      if (decision) return decision.auth.authorizeRoute(decision.identity, request(), rule);
      if (state === undefined) states.set(key, { pending: [rule] });
      else (state.pending ??= []).push(rule);
    },
    require(key, request) {
      const decision = states.get(key)?.decision;
      if (!decision) throw new Error('requireAuthentication() must come after pomeriumAuth()');
      decision.auth.requireIdentity(decision.identity, request());
    },
    decided: (key) => states.get(key)?.decision,
    helpers(wrap) {
      const rule = (r: RouteRule) => {
        const checked = defineRouteRule(r);
        return wrap((key, request) => gate.apply(key, checked, request));
      };
      return {
        forbidImpersonation: () => rule({ impersonation: 'forbid' }),
        allowImpersonation: (grants) => rule({ impersonation: { grants } }),
        requirePolicy: (policy) => rule({ policy }),
        requireAuthentication: () => wrap((key, request) => gate.require(key, request)),
      };
    },
  };
  return gate;
}
