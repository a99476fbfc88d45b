import {
  isPomeriumAuthError,
  toAuthRequest,
  type Identity,
  type NodeRequestLike,
  type PomeriumAuth,
} from '@pomerium-auth/core';
import { passesAnonymously, sendsCredentialOrImpersonation } from './optional-authentication.js';
import type { RouteRules } from './route-rules.js';

/**
 * One route's decision by core: the route's rules are part of it, `@RequireAuthentication()`
 * refuses an anonymous request (audited by core), `@OptionalAuth()` lets a request through
 * anonymously when it sent no credential and asked for no impersonation. Rejects with a
 * `PomeriumAuthError` and nothing else.
 */
export async function authenticateRoute(
  auth: PomeriumAuth,
  source: NodeRequestLike,
  route: RouteRules,
): Promise<Identity | undefined> {
  const sent =
    route.authentication === 'optional' &&
    sendsCredentialOrImpersonation(source.headers, auth.options);
  const request = toAuthRequest(source);
  try {
    const identity = await auth.authenticate(
      request,
      route.rules.length > 1 ? route.rules : route.rules[0],
    );
    return route.authentication === 'required' ? auth.requireIdentity(identity, request) : identity;
  } catch (err) {
    if (
      route.authentication === 'optional' &&
      isPomeriumAuthError(err) &&
      passesAnonymously(err, sent)
    )
      return undefined;
    throw err;
  }
}
