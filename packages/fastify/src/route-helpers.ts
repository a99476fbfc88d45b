import {
  toAuthRequest,
  type CompiledPolicy,
  type Grant,
  type PolicyDocument,
} from '@pomerium-auth/core';
import type { onRequestHookHandler } from 'fastify';
import { answerError, gate } from './request-state.js';

/** Core's route helpers, each step an `onRequest` hook that answers a refusal as the plugin does. */
const helpers = gate.helpers(
  (step): onRequestHookHandler =>
    function pomeriumRouteStep(request, reply, done) {
      try {
        step(request, () => toAuthRequest(request));
      } catch (err) {
        return answerError(err, gate.decided(request)?.auth, reply, done);
      }
      done();
    },
);

/**
 * An `onRequest` hook that refuses impersonation on a route (403 `impersonation_denied`,
 * audited). Route hooks run after the plugin's, so it narrows what the plugin decided; to make it
 * part of the decision itself, use `config: { pomerium: { impersonation: 'forbid' } }`.
 *
 * @example
 * ```ts
 * app.post('/api/payments', { onRequest: forbidImpersonation() }, pay);
 * ```
 */
export function forbidImpersonation(): onRequestHookHandler {
  return helpers.forbidImpersonation();
}

/**
 * An `onRequest` hook with this route's impersonation grants. After the plugin's decision they
 * can only narrow: the global grants and these must both allow. To let them replace (and widen)
 * the global grants, give them as `config: { pomerium: { impersonation: { grants } } }`.
 * Grants are checked here, at start-up.
 *
 * @param grants - the route's grants.
 * @throws {PomeriumAuthConfigError} at definition, for a bad grant (`err.option` names it).
 *
 * @example
 * ```ts
 * app.get('/api/tickets', { onRequest: allowImpersonation([{ initiators: ['group:helpdesk'], targets: ['user_*'], readOnly: true }]) }, listTickets);
 * ```
 */
export function allowImpersonation(grants: Grant[]): onRequestHookHandler {
  return helpers.allowImpersonation(grants);
}

/**
 * An `onRequest` hook that requires an identity on a route when the plugin runs with
 * `required: false`: an anonymous request gets 401 `credentials_required`, answered like every
 * other error. Without the plugin registered in the route's context it fails closed (a 500).
 * `config: { pomerium: { authentication: 'required' } }` does the same within the plugin's
 * decision.
 *
 * @example
 * ```ts
 * await app.register(pomeriumAuth, { ...options, required: false });
 * app.get('/api/orders', { onRequest: requireAuthentication() }, listOrders);
 * ```
 */
export function requireAuthentication(): onRequestHookHandler {
  return helpers.requireAuthentication();
}

/**
 * Requires a Pomerium policy on this route, evaluated on the effective user (the impersonated
 * user while impersonating): refused, 403 `insufficient_scope` (401 `credentials_required` for an
 * anonymous request), audited as `access_denied`; allowed, audited as `access_granted`. The
 * document (an object, a list of rules, YAML or JSON text, or `compilePolicy(doc, { name })`)
 * is checked here, at start-up. As an `onRequest` hook it runs after the plugin's decision;
 * `config: { pomerium: { policy } }` makes it part of the decision itself.
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
 * app.get('/api/finance', { onRequest: requirePolicy(financePolicy) }, report);
 * ```
 */
export function requirePolicy(policy: PolicyDocument | CompiledPolicy): onRequestHookHandler {
  return helpers.requirePolicy(policy);
}
