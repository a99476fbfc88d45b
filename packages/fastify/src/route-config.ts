import { PomeriumAuthConfigError, defineRouteRule, type RouteRule } from '@pomerium-auth/core';
import type { FastifyRequest } from 'fastify';

/**
 * A route's rules, given in its options as `config: { pomerium: ... }`: core's route rule.
 * Known when the plugin decides, so they are part of the one decision (route grants replace the
 * global grants there).
 *
 * @example
 * ```ts
 * app.post('/api/payments', { config: { pomerium: { impersonation: 'forbid' } } }, pay);
 * app.get('/api/orders', { config: { pomerium: { authentication: 'required' } } }, listOrders);
 * ```
 */
export type PomeriumRouteConfig = RouteRule;

const checked = new WeakSet<object>();

/**
 * Checks a route's `config.pomerium` once (the same object is seen on every request of the route):
 * a typo must not quietly leave a route without its rule. Errors name `config.pomerium.<key>`.
 */
export function checkRouteConfig(config: unknown): PomeriumRouteConfig | undefined {
  if (config === undefined) return undefined;
  if (typeof config === 'object' && config !== null && checked.has(config)) return config;
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    throw new PomeriumAuthConfigError('config.pomerium', 'must be an object of route rules');
  try {
    defineRouteRule(config as RouteRule);
  } catch (err) {
    if (!(err instanceof PomeriumAuthConfigError)) throw err;
    const option = err.option.replace(/^route\b/, 'config.pomerium');
    throw new PomeriumAuthConfigError(option, err.message.replace(/^.*?": /, ''));
  }
  checked.add(config);
  return config;
}

/** The rules of the route this request matched, if its options gave any. */
export function routeConfigOf(request: FastifyRequest): PomeriumRouteConfig | undefined {
  return checkRouteConfig(request.routeOptions.config?.pomerium);
}
