import { auditEvent, type EventFacts } from '../audit/audit-event.js';
import type { ResolvedOptions } from '../config/resolve-options.js';
import {
  CredentialsRequiredError,
  InsufficientScopeError,
  type PomeriumAuthError,
} from '../errors.js';
import type { Identity } from '../identity.js';
import type { CompiledPolicy } from '../policy/compile-policy.js';
import type { PolicyDecision, PolicyInput } from '../policy/policy-decision.js';
import type { AuthRequest } from '../request.js';

/** A policy as a decision applies it: compiled, with the name its audit events show. */
export interface NamedPolicy {
  policy: CompiledPolicy;
  /** `options.policy`'s name, a compiled policy's own, or `route` for a route's unnamed one. */
  name: string;
}

/**
 * What a policy reads of a request: the effective user, and the method, path and client address
 * only when a criterion needs them (`''` stands for one it never reads). Each is a read of the
 * framework's request object, which `toAuthRequest` defers until asked: in a running Express
 * server a property read of `req` costs about a microsecond (bench/README.md), and the address
 * costs proxy-addr.
 */
export function policyInput(
  policy: CompiledPolicy,
  identity: Identity | undefined,
  request: AuthRequest,
): PolicyInput {
  const { reads } = policy;
  const input: PolicyInput = {
    method: reads.method ? request.method : '',
    path: reads.path ? request.url : '',
  };
  if (identity) input.user = identity.user;
  if (reads.ip) {
    const ip = request.ip;
    if (ip !== undefined) input.ip = ip;
  }
  return input;
}

/**
 * Evaluates one policy on the request's effective user (the impersonated user while
 * impersonating: an impersonator is subject to the target's policies) and audits the decision
 * as its own event, `access_granted` or `access_denied`, with Pomerium-style reasons. A refusal
 * is thrown: 403 `insufficient_scope` with one description that reveals nothing of the policy,
 * or 401 `credentials_required` for an anonymous request (a credential may be what is missing).
 */
export function applyPolicy(
  opts: ResolvedOptions,
  named: NamedPolicy,
  identity: Identity | undefined,
  request: AuthRequest,
  requestId: string,
): PolicyDecision {
  const decision = named.policy.evaluate(policyInput(named.policy, identity, request));
  let refusal: PomeriumAuthError | undefined;
  if (!decision.allowed) {
    const why = `policy ${named.name} denied: ${decision.reasons.join(', ') || 'nothing allowed it'}`;
    refusal = identity ? new InsufficientScopeError(why) : new CredentialsRequiredError(why);
  }
  if (opts.audit.active) {
    const facts: EventFacts = {
      requestId,
      initiator: identity?.initiator,
      user: identity?.user,
      source: identity?.credential.source,
      onBehalfOf: identity?.onBehalfOf,
      policy: { name: named.name, reasons: decision.reasons },
      error: refusal,
    };
    if (identity?.impersonating) {
      facts.impersonation = {
        target: identity.user.email ?? identity.user.id,
        via: identity.impersonation?.via ?? 'header',
        reason: identity.impersonation?.reason,
        grant: identity.impersonation?.grant,
      };
    }
    opts.audit.emit(
      auditEvent(decision.allowed ? 'access_granted' : 'access_denied', request, facts),
    );
  }
  if (refusal) throw refusal;
  return decision;
}
