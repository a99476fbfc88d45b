import { defineRouteRule, toAuthRequest, type Grant, type RouteRule } from '@pomerium-auth/core';
import type { RequestHandler } from 'express';
import { answerError, gate } from './request-state.js';

function routeRule(rule: RouteRule): RequestHandler {
  defineRouteRule(rule);
  return function pomeriumRouteRule(req, res, next) {
    try {
      gate.apply(req, rule, () => toAuthRequest(req));
    } catch (err) {
      return answerError(err, gate.decided(req)?.auth, res, next);
    }
    next();
  };
}

/**
 * Refuses impersonation on this route (403 `impersonation_denied`, audited). Place it after an
 * app-wide `pomeriumAuth()`, or before the route's own `pomeriumAuth()`.
 *
 * @example
 * ```ts
 * app.post('/api/payments', forbidImpersonation(), pay);
 * ```
 */
export function forbidImpersonation(): RequestHandler {
  return routeRule({ impersonation: 'forbid' });
}

/**
 * Sets the impersonation grants of this route. Before the route's own `pomeriumAuth()` they
 * replace the global grants (and may widen them); after an app-wide `pomeriumAuth()` they can
 * only narrow: the global grants and these must both allow. Grants are checked here, at start-up.
 *
 * @param grants - the route's grants (checked now: a bad pattern throws `PomeriumAuthConfigError`).
 *
 * @example
 * ```ts
 * app.get('/api/tickets', allowImpersonation([{ initiators: ['group:helpdesk'], targets: ['user_*'], readOnly: true }]), auth, listTickets);
 * ```
 */
export function allowImpersonation(grants: Grant[]): RequestHandler {
  return routeRule({ impersonation: { grants } });
}

/**
 * Requires an authenticated identity on this route when `pomeriumAuth()` runs with
 * `required: false`: an anonymous request gets 401 `credentials_required`, answered like every
 * other error. Place it after `pomeriumAuth()`; without one before it, it fails closed (an error
 * passed to `next`, a 500).
 *
 * @example
 * ```ts
 * app.use(pomeriumAuth({ required: false }));
 * app.get('/api/orders', requireAuthentication(), listOrders);
 * ```
 */
export function requireAuthentication(): RequestHandler {
  return function pomeriumRequireAuthentication(req, res, next) {
    try {
      gate.require(req, () => toAuthRequest(req));
    } catch (err) {
      return answerError(err, gate.decided(req)?.auth, res, next);
    }
    next();
  };
}
