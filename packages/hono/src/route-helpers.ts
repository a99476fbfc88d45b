import type { CompiledPolicy, Grant, PolicyDocument } from '@pomerium-auth/core';
import type { MiddlewareHandler } from 'hono';
import { answerError } from './error-answer.js';
import type { PomeriumEnv } from './hono-env.js';
import { authRequestOf } from './hono-request.js';
import { gate } from './request-state.js';

/** Core's route helpers, each step a middleware that answers a refusal as the others do. */
const helpers = gate.helpers(
  (step): MiddlewareHandler<PomeriumEnv> =>
    async function pomeriumRouteStep(c, next) {
      try {
        step(c, () => authRequestOf(c));
      } catch (err) {
        return answerError(c, err, gate.decided(c)?.auth);
      }
      await next();
    },
);

/**
 * Refuses impersonation on this route (403 `impersonation_denied`, audited). Place it after an
 * app-wide `pomeriumAuth()`, or before the route's own `pomeriumAuth()`.
 *
 * @example
 * ```ts
 * app.post('/api/payments', forbidImpersonation(), pay);
 * ```
 */
export function forbidImpersonation(): MiddlewareHandler<PomeriumEnv> {
  return helpers.forbidImpersonation();
}

/**
 * Sets the impersonation grants of this route. Before the route's own `pomeriumAuth()` they
 * replace the global grants (and may widen them); after an app-wide `pomeriumAuth()` they can
 * only narrow: the global grants and these must both allow. Grants are checked here, at start-up.
 *
 * @param grants - the route's grants.
 * @throws {PomeriumAuthConfigError} at definition, for a bad grant (`err.option` names it).
 *
 * @example
 * ```ts
 * app.get('/api/tickets', allowImpersonation([{ initiators: ['group:helpdesk'], targets: ['user_*'], readOnly: true }]), auth, listTickets);
 * ```
 */
export function allowImpersonation(grants: Grant[]): MiddlewareHandler<PomeriumEnv> {
  return helpers.allowImpersonation(grants);
}

/**
 * Requires an authenticated identity on this route when `pomeriumAuth()` runs with
 * `required: false`: an anonymous request gets 401 `credentials_required`, answered like every
 * other error. Place it after `pomeriumAuth()`; without one before it, it fails closed (an
 * error thrown to `app.onError`, a 500 by default).
 *
 * @example
 * ```ts
 * app.use(pomeriumAuth({ required: false }));
 * app.get('/api/orders', requireAuthentication(), listOrders);
 * ```
 */
export function requireAuthentication(): MiddlewareHandler<PomeriumEnv> {
  return helpers.requireAuthentication();
}

/**
 * Requires a Pomerium policy on this route, evaluated on the effective user (the impersonated
 * user while impersonating): refused, 403 `insufficient_scope` (401 `credentials_required` for an
 * anonymous request), audited as `access_denied`; allowed, audited as `access_granted`. The
 * document (an object, a list of rules, YAML or JSON text, or `compilePolicy(doc, { name })`)
 * is checked here, at start-up. Place it after an app-wide `pomeriumAuth()`, or before the
 * route's own `pomeriumAuth()` (then it is part of the one decision).
 *
 * @param policy - the policy document, or a compiled and named policy.
 * @throws {PomeriumAuthConfigError} at definition, for a bad document (`err.option` says where).
 *
 * @example
 * ```ts
 * const financePolicy = compilePolicy(`
 * allow:
 *   or:
 *     - groups: { has: finance }
 * `, { name: 'finance' });
 * app.get('/api/finance', requirePolicy(financePolicy), report);
 * ```
 */
export function requirePolicy(
  policy: PolicyDocument | CompiledPolicy,
): MiddlewareHandler<PomeriumEnv> {
  return helpers.requirePolicy(policy);
}
