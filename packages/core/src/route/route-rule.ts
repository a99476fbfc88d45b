import { refuseUnknownKeys } from '../config/option-checks.js';
import { ImpersonationDeniedError, PomeriumAuthConfigError } from '../errors.js';
import type { Identity } from '../identity.js';
import {
  compileGrants,
  grantAllowing,
  grantsNaming,
  type CompiledGrant,
} from '../impersonation/grants.js';
import { judgedImpersonation } from '../impersonation/judged-impersonations.js';
import type { Grant } from '../options.js';
import { compilePolicy, isCompiledPolicy, type CompiledPolicy } from '../policy/compile-policy.js';
import type { PolicyDocument } from '../policy/policy-document.js';
import type { AuthRequest } from '../request.js';

/**
 * A per-route rule, produced by the adapters' route helpers (`forbidImpersonation()`,
 * `allowImpersonation(grants)`, `requireAuthentication()`, `optionalAuthentication()`). Several
 * keys may be set at once.
 *
 * @example
 * ```ts
 * await auth.authenticate(request, { impersonation: 'forbid' });
 * await auth.authenticate(request, { impersonation: { grants: [{ initiators: ['group:support'], targets: ['*'] }] } });
 * await auth.authenticate(request, { authentication: 'optional' });
 * ```
 */
export interface RouteRule {
  /** `'forbid'`: no impersonation on this route; `{ grants }`: these grants replace the global ones here. */
  impersonation?: 'forbid' | { grants: Grant[] };
  /**
   * `'required'`: an anonymous request is refused here (401 `credentials_required`) even when
   * the `required` option is false. `'optional'`: a request without any credential passes here as
   * anonymous even when `required` is true (a credential that fails is still refused).
   */
  authentication?: 'required' | 'optional';
  /**
   * A Pomerium policy this route also requires, evaluated on the effective user: a document
   * (object, list of rules, YAML or JSON text) or a policy from `compilePolicy` (whose `name`
   * the audit events show). Refused: 403 `insufficient_scope`.
   */
  policy?: PolicyDocument | CompiledPolicy;
}

const compiledRouteGrants = new WeakMap<Grant[], CompiledGrant[]>();
const RULE_KEYS = new Set(['impersonation', 'authentication', 'policy']);
const compiledRoutePolicies = new WeakMap<RouteRule, CompiledPolicy>();

/**
 * Checks a per-route rule and compiles it once. Adapters call it when a route is defined, so a
 * bad rule fails at start-up (with a `PomeriumAuthConfigError` naming the key), not at the first
 * request.
 *
 * @param rule - `impersonation` (`'forbid'` or `{ grants }`), `authentication` (`'required'` or
 *   `'optional'`) and `policy` (a document or a compiled policy).
 * @returns the same rule, now known to be valid: pass it on as it is.
 * @throws {PomeriumAuthConfigError} for an unknown key or a bad value, `err.option` naming it
 *   (`route.impersonation.grants[0].targets`).
 *
 * @example
 * ```ts
 * const rule = defineRouteRule({ impersonation: { grants: [{ initiators: ['group:support'], targets: ['user_*'] }] } });
 * ```
 */
export function defineRouteRule<R extends RouteRule>(rule: R): R {
  if (rule === null || typeof rule !== 'object') {
    throw new PomeriumAuthConfigError('route', 'must be an object');
  }
  refuseUnknownKeys(rule, RULE_KEYS, 'route', 'route rule');
  const imp = rule.impersonation;
  if (imp !== undefined && imp !== 'forbid') {
    if (imp === null || typeof imp !== 'object' || !Array.isArray(imp.grants)) {
      throw new PomeriumAuthConfigError(
        'route.impersonation',
        "must be 'forbid' or { grants: [...] }",
      );
    }
    routeGrants(imp.grants);
  }
  if (rule.policy !== undefined) routePolicy(rule);
  const authentication = rule.authentication;
  if (
    authentication !== undefined &&
    authentication !== 'required' &&
    authentication !== 'optional'
  ) {
    throw new PomeriumAuthConfigError('route.authentication', "must be 'required' or 'optional'");
  }
  return rule;
}

/** A route's policy, compiled once per rule (and checked when the rule is defined). */
export function routePolicy(rule: RouteRule): CompiledPolicy | undefined {
  const policy = rule.policy;
  if (policy === undefined) return undefined;
  if (isCompiledPolicy(policy)) return policy;
  let compiled = compiledRoutePolicies.get(rule);
  if (!compiled) {
    compiled = compilePolicy(policy, { option: 'route.policy' });
    compiledRoutePolicies.set(rule, compiled);
  }
  return compiled;
}

/** A route's grants, compiled once per grants array. */
export function routeGrants(grants: Grant[]): CompiledGrant[] {
  let compiled = compiledRouteGrants.get(grants);
  if (!compiled) {
    compiled = compileGrants(grants, 'route.impersonation.grants');
    compiledRouteGrants.set(grants, compiled);
  }
  return compiled;
}

/**
 * Applies a route's impersonation rule to an identity that was already decided under the global
 * rules (an app-wide middleware runs before the route's own). It can only narrow: `'forbid'`
 * refuses any impersonation; route grants must also allow it, judged as the decision judges
 * grants (the initiator, the target by its own names and groups, the groups asked for, the
 * method), so a rule answers the same whether it was part of the decision or narrows it. An
 * impersonating identity no decision of this suite granted is refused. Returns the grant that
 * allows it, if any.
 */
export function narrowImpersonation(
  identity: Identity,
  request: AuthRequest,
  rule: RouteRule,
): string | undefined {
  const imp = rule.impersonation;
  if (!identity.impersonating || imp === undefined) return undefined;
  if (imp === 'forbid') {
    throw new ImpersonationDeniedError(
      'forbidden_on_route',
      'impersonation is forbidden on this route',
    );
  }
  const { initiator, user } = identity;
  const judged = judgedImpersonation(user);
  if (!judged) {
    throw new ImpersonationDeniedError(
      'not_allowed',
      `no decision here made ${initiator.id} act as ${user.id}`,
    );
  }
  const candidates = grantsNaming(routeGrants(imp.grants), initiator, 'route grant');
  return grantAllowing(
    candidates,
    initiator,
    judged.target,
    judged.groups,
    request.method,
    'route grant',
  ).name;
}
