import { auditEvent, requestIdOf, type EventFacts } from '../audit/audit-event.js';
import type { ResolvedOptions } from '../config/resolve-options.js';
import type { PomeriumAuthError } from '../errors.js';
import {
  CredentialsRequiredError,
  InvalidTokenError,
  type ImpersonationDeniedError,
} from '../errors.js';
import type { Identity } from '../identity.js';
import type { AuthRequest } from '../request.js';
import { narrowImpersonation, routePolicy, type RouteRule } from '../route/route-rule.js';
import { applyPolicy } from './apply-policy.js';

/**
 * The facts of an event about an identity the gate already granted: its users, its credential,
 * and the impersonation it carries.
 */
function identityFacts(identity: Identity, withUser: boolean): EventFacts {
  const facts: EventFacts = {
    requestId: identity.requestId,
    initiator: identity.initiator,
    user: withUser ? identity.user : undefined,
    source: identity.credential.source,
    onBehalfOf: identity.onBehalfOf,
  };
  if (identity.impersonating) {
    facts.impersonation = {
      target: identity.user.email ?? identity.user.id,
      via: identity.impersonation?.via ?? 'header',
      reason: identity.impersonation?.reason,
    };
  }
  return facts;
}

/**
 * A route rule applied after the gate decided (an app-wide middleware ran before the route's own
 * helpers): it can only narrow. Each decision is its own audited event (`impersonation_denied`,
 * `authentication_failed` for an anonymous request where the route requires a user, the route
 * policy's `access_granted` or `access_denied`); a refusal is thrown as a `PomeriumAuthError`.
 */
export function narrowRoute(
  opts: ResolvedOptions,
  identity: Identity | undefined,
  request: AuthRequest,
  rule: RouteRule,
): void {
  if (identity) {
    try {
      narrowImpersonation(identity, request, rule);
    } catch (thrown) {
      const err = thrown as ImpersonationDeniedError;
      if (opts.audit.active) {
        const facts = identityFacts(identity, false);
        facts.error = err;
        opts.audit.emit(auditEvent('impersonation_denied', request, facts));
      }
      throw err;
    }
  } else if (rule.authentication === 'required') {
    requireIdentity(opts, identity, request);
  }
  const policy = routePolicy(rule);
  if (policy) {
    const requestId = identity?.requestId ?? requestIdOf(request);
    applyPolicy(opts, { policy, name: policy.name ?? 'route' }, identity, request, requestId);
  }
}

/**
 * For routes that need a user where authentication is optional: returns the identity, or
 * audits `authentication_failed` and throws 401 `credentials_required`.
 */
export function requireIdentity(
  opts: ResolvedOptions,
  identity: Identity | undefined,
  request: AuthRequest,
): Identity {
  if (identity) return identity;
  const err = new CredentialsRequiredError('this route requires authentication');
  if (opts.audit.active) {
    opts.audit.emit(
      auditEvent('authentication_failed', request, { requestId: requestIdOf(request), error: err }),
    );
  }
  throw err;
}

/**
 * The application refuses a verified identity (a Passport verify callback answering `false`):
 * audited as its own `authentication_failed` event; returns the 401 `invalid_token` to answer with.
 */
export function refuseIdentity(
  opts: ResolvedOptions,
  identity: Identity,
  request: AuthRequest,
  detail = 'the application refused the identity',
): PomeriumAuthError {
  const err = new InvalidTokenError('rejected_by_application', detail);
  if (opts.audit.active) {
    const facts = identityFacts(identity, false);
    facts.error = err;
    opts.audit.emit(auditEvent('authentication_failed', request, facts));
  }
  return err;
}
