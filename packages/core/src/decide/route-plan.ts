import { routePolicy, type RouteRule } from '../route/route-rule.js';
import type { NamedPolicy } from './apply-policy.js';

/** A route's rules (one, several stacked route helpers, or none) as the decision uses them. */
export interface RoutePlan {
  /**
   * The first rule that says anything about impersonation: part of the impersonation decision
   * (its grants replace the global ones). The later ones can only narrow what it allowed.
   */
  impersonation?: RouteRule;
  /** The later rules about impersonation, applied as narrowing after the decision. */
  narrowing: readonly RouteRule[];
  /** `'required'` when any rule requires a user, else `'optional'` when any allows none. */
  authentication?: 'required' | 'optional';
  /** The route's policies, in the order of its rules: every one must allow. */
  policies: readonly NamedPolicy[];
}

const NO_RULES: RoutePlan = Object.freeze({
  narrowing: Object.freeze([]),
  policies: Object.freeze([]),
});

/** Reads the rules a decision is asked to apply. */
export function routePlan(route: RouteRule | readonly RouteRule[] | undefined): RoutePlan {
  if (route === undefined) return NO_RULES;
  const rules: readonly RouteRule[] = Array.isArray(route) ? route : [route as RouteRule];
  if (rules.length === 0) return NO_RULES;
  const plan: {
    impersonation?: RouteRule;
    narrowing: RouteRule[];
    authentication?: 'required' | 'optional';
    policies: NamedPolicy[];
  } = { narrowing: [], policies: [] };
  for (const rule of rules) {
    if (rule.impersonation !== undefined) {
      if (plan.impersonation === undefined) plan.impersonation = rule;
      else plan.narrowing.push(rule);
    }
    const policy = routePolicy(rule);
    if (policy) plan.policies.push({ policy, name: policy.name ?? 'route' });
    if (rule.authentication === 'required') plan.authentication = 'required';
    else if (rule.authentication === 'optional' && plan.authentication === undefined) {
      plan.authentication = 'optional';
    }
  }
  return plan;
}
