import type { Reflector } from '@nestjs/core';
import type { RouteRule } from '@pomerium-auth/core';
import {
  OPTIONAL_AUTH_KEY,
  POLICY_KEY,
  PUBLIC_ROUTE_KEY,
  REQUIRE_AUTHENTICATION_KEY,
  ROUTE_RULE_KEY,
} from './route-metadata.js';

/**
 * How a route asks to be authenticated: `'optional'` (`@OptionalAuth()`), `'required'`
 * (`@RequireAuthentication()`), or `'default'`, where the `required` option decides.
 */
export type RouteAuthentication = 'default' | 'optional' | 'required';

/**
 * What this package's decorators say about one handler, its own decorators before its
 * controller's.
 *
 * @example
 * ```ts
 * const route = collectRouteRules(reflector, context.getHandler(), context.getClass());
 * if (!route.public) await auth.authenticate(request, route.rules);
 * ```
 */
export interface RouteRules {
  /** `@Public()`: no authentication at all. */
  public: boolean;
  /** `@OptionalAuth()` or `@RequireAuthentication()`, the handler's over the controller's. */
  authentication: RouteAuthentication;
  /**
   * The rules core applies in the route's one decision (`auth.authenticate(request, rules)`):
   * the handler's impersonation rule, else the controller's; the handler's policy, else the
   * controller's.
   */
  rules: RouteRule[];
}

/**
 * Reads the route decorators of a handler and its controller (or resolver, or gateway). Every
 * guard of this package reads them here, and only here.
 *
 * @example
 * ```ts
 * const route = collectRouteRules(new Reflector(), MeController.prototype.me, MeController);
 * route.rules; // [{ impersonation: 'forbid' }]
 * ```
 */
export function collectRouteRules(
  reflector: Reflector,
  handler: object,
  controller: object,
): RouteRules {
  const targets = [handler, controller] as Array<() => unknown>;
  const rules = [ROUTE_RULE_KEY, POLICY_KEY]
    .map((key) => reflector.getAllAndOverride<RouteRule | undefined>(key, targets))
    .filter((rule): rule is RouteRule => rule !== undefined);
  return {
    public: reflector.getAllAndOverride<boolean | undefined>(PUBLIC_ROUTE_KEY, targets) === true,
    authentication: authenticationOf(reflector, targets),
    rules,
  };
}

function authenticationOf(
  reflector: Reflector,
  targets: Array<() => unknown>,
): RouteAuthentication {
  for (const target of targets) {
    if (reflector.get<boolean | undefined>(REQUIRE_AUTHENTICATION_KEY, target)) return 'required';
    if (reflector.get<boolean | undefined>(OPTIONAL_AUTH_KEY, target)) return 'optional';
  }
  return 'default';
}

/** True when the decorators say anything: a guard that cannot read them would ignore it. */
export function hasRouteRules(route: RouteRules): boolean {
  return route.public || route.authentication !== 'default' || route.rules.length > 0;
}
