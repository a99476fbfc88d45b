import {
  toAuthRequest,
  type Identity,
  type NodeRequestLike,
  type PomeriumAuth,
  type RouteRule,
} from '@pomerium-auth/core';
import type { RouteRules } from './route-rules.js';

/**
 * One route's decision by core, with the route's rules part of it: `@RequireAuthentication()`
 * and `@OptionalAuth()` are core's `authentication` rule (`'required'`: an anonymous request is
 * refused, audited; `'optional'`: a request without any credential passes as anonymous, a bad
 * one is still refused). Rejects with a `PomeriumAuthError` and nothing else.
 */
export function authenticateRoute(
  auth: PomeriumAuth,
  source: NodeRequestLike,
  route: RouteRules,
): Promise<Identity | undefined> {
  const rules: RouteRule[] =
    route.authentication === 'default'
      ? route.rules
      : [...route.rules, { authentication: route.authentication }];
  return auth.authenticate(toAuthRequest(source), rules.length > 1 ? rules : rules[0]);
}
