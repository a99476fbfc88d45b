import { PomeriumAuthConfigError, defineRouteRule, type RouteRule } from '@pomerium-auth/core';
import type { FastifyRequest } from 'fastify';

/**
 * A route's rules, given in its options as `config: { pomerium: ... }`. Known when the plugin
 * decides, so they are part of the one decision (route grants replace the global grants there).
 *
 * @example
 * ```ts
 * app.post('/api/payments', { config: { pomerium: { impersonation: 'forbid' } } }, pay);
 * app.get('/api/orders', { config: { pomerium: { required: true } } }, listOrders);
 * ```
 */
export interface PomeriumRouteConfig extends RouteRule {
  /**
   * `true`: an anonymous request gets 401 `credentials_required` on this route, even when the
   * plugin runs with `required: false` (what the `requireAuthentication()` hook does). A route
   * cannot waive authentication that the plugin requires.
   */
  required?: true;
}

/** The keys of `config.pomerium` this version understands; anything else is refused, never ignored. */
const KNOWN_KEYS = new Set(['impersonation', 'required']);

const checked = new WeakSet<object>();

/**
 * Checks a route's `config.pomerium` once (the same object is seen on every request of the route):
 * a typo must not quietly leave a route without its rule.
 */
export function checkRouteConfig(config: unknown): PomeriumRouteConfig | undefined {
  if (config === undefined) return undefined;
  if (typeof config === 'object' && config !== null && checked.has(config))
    return config as PomeriumRouteConfig;
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    throw new PomeriumAuthConfigError('config.pomerium', 'must be an object of route rules');
  for (const key of Object.keys(config)) {
    if (!KNOWN_KEYS.has(key))
      throw new PomeriumAuthConfigError(`config.pomerium.${key}`, 'is not a known route rule');
  }
  const rule = config as PomeriumRouteConfig;
  if (rule.required !== undefined && rule.required !== true)
    throw new PomeriumAuthConfigError(
      'config.pomerium.required',
      'must be true: a route can require authentication, not waive it',
    );
  defineRouteRule(rule);
  checked.add(config);
  return rule;
}

/** The rules of the route this request matched, if its options gave any. */
export function routeConfigOf(request: FastifyRequest): PomeriumRouteConfig | undefined {
  return checkRouteConfig(request.routeOptions.config?.pomerium);
}
