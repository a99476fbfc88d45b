import {
  ImpersonationDeniedError,
  InvalidRequestError,
  PomeriumAuthConfigError,
  type PomeriumAuthReason,
} from '../errors.js';
import type { Identity, Principal } from '../identity.js';
import type { DirectoryUser, Grant, Lookup } from '../options.js';
import type { AuthRequest, RouteRule } from '../request.js';
import { lookup } from '../verify/verify-service-account.js';
import {
  compileGrants,
  grantAllowsGroups,
  grantAllowsTarget,
  grantNamesInitiator,
  type CompiledGrant,
  type TargetNames,
} from './grants.js';
import type { ImpersonationAsk } from './impersonation-request.js';
import { foldEmailCase } from './name-patterns.js';
import type { ImpersonationRules } from './impersonation-rules.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const EMPTY_CLAIMS: Readonly<Record<string, unknown>> = Object.freeze({});

/** What an allowed impersonation yields. */
export interface ImpersonationOutcome {
  initiator: Principal;
  /** The effective principal; the initiator itself when the ask was for oneself. */
  user: Principal;
  impersonating: boolean;
  grant?: string;
}

/** Everything a decision needs besides the ask. */
export interface ImpersonationContext {
  rules: ImpersonationRules;
  directory?: Lookup<DirectoryUser>;
  request: AuthRequest;
  route?: RouteRule;
}

const compiledRouteGrants = new WeakMap<Grant[], CompiledGrant[]>();

/**
 * Checks a per-route rule and compiles its grants once. Adapters call it when a route is
 * defined, so a bad rule fails at start-up, not at the first request.
 *
 * @example
 * ```ts
 * const rule = defineRouteRule({ impersonation: { grants: [{ initiators: ['group:support'], targets: ['user_*'] }] } });
 * ```
 */
export function defineRouteRule(rule: RouteRule): RouteRule {
  const imp = rule.impersonation;
  if (imp === undefined || imp === 'forbid') return rule;
  if (imp === null || typeof imp !== 'object' || !Array.isArray(imp.grants)) {
    throw new PomeriumAuthConfigError(
      'route.impersonation',
      "must be 'forbid' or { grants: [...] }",
    );
  }
  routeGrants(imp.grants);
  return rule;
}

function routeGrants(grants: Grant[]): CompiledGrant[] {
  let compiled = compiledRouteGrants.get(grants);
  if (!compiled) {
    compiled = compileGrants(grants, 'route.impersonation.grants');
    compiledRouteGrants.set(grants, compiled);
  }
  return compiled;
}

/**
 * Applies a route rule to an identity that was already decided under the global rules (an
 * app-wide middleware runs before the route's own middleware). It can only narrow: `'forbid'`
 * refuses any impersonation; route grants must allow the initiator to act as the effective user
 * with its groups. Returns normally when the identity may proceed.
 */
export function checkRouteRule(
  identity: Identity,
  request: AuthRequest,
  rule: RouteRule,
): string | undefined {
  const imp = rule.impersonation;
  if (!identity.impersonating || imp === undefined) return undefined;
  if (imp === 'forbid') deny('forbidden_on_route', 'impersonation is forbidden on this route');
  const { initiator, user } = identity;
  const names: TargetNames = {
    requested: user.email ?? user.id,
    id: user.id,
    groups: user.groups,
    ...(user.email !== undefined ? { email: user.email } : {}),
  };
  const allowing = routeGrants(imp.grants).filter(
    (g) => grantNamesInitiator(g, initiator) && grantAllowsTarget(g, names),
  );
  if (allowing.length === 0)
    deny('not_allowed', `no route grant lets ${initiator.id} act as ${user.id}`);
  const grant = SAFE_METHODS.has(request.method.toUpperCase())
    ? allowing[0]
    : allowing.find((g) => !g.readOnly);
  if (!grant) deny('read_only', `${request.method} under a read-only route grant`);
  return grant.name;
}

function deny(reason: PomeriumAuthReason, detail: string): never {
  throw new ImpersonationDeniedError(reason, detail);
}

function sameUser(principal: Principal, name: string): boolean {
  return (
    principal.id === name ||
    (principal.email !== undefined &&
      name.includes('@') &&
      foldEmailCase(principal.email) === foldEmailCase(name))
  );
}

/**
 * Decides an impersonation ask against the rules (SPEC 5), in this order: enabled, chaining,
 * route, reason, a grant naming the initiator, the target's existence, `protect`, the grant's
 * targets and groups, read-only, and the `canImpersonate` hook. Every refusal is the same 403
 * `impersonation_denied` to the client; its `reason` says what really decided.
 */
export async function decideImpersonation(
  ask: ImpersonationAsk,
  ctx: ImpersonationContext,
): Promise<ImpersonationOutcome> {
  const { rules } = ctx;
  if (!rules.enabled) deny('impersonation_disabled', 'impersonation is disabled');
  if (ask.via === 'act-claim' && !rules.fromActClaim)
    deny('impersonation_disabled', 'act claims are not accepted');
  if (ask.chained) deny('chaining', `a ${ask.via} impersonation cannot impersonate again`);
  if (ctx.route?.impersonation === 'forbid')
    deny('forbidden_on_route', 'impersonation is forbidden on this route');
  if (ask.target === undefined) deny('not_allowed', 'groups asked for without a user');

  let initiator = ask.initiator;
  if (ask.via === 'act-claim' && ctx.directory && initiator.id) {
    const actor = await lookup(ctx.directory, initiator.id, 'directory');
    if (actor)
      initiator = {
        ...initiator,
        groups: [...(actor.groups ?? [])],
        ...(actor.email !== undefined ? { email: actor.email } : {}),
      };
  }
  if (sameUser(initiator, ask.target) && ask.groups.length === 0 && ask.via !== 'act-claim') {
    return { initiator, user: initiator, impersonating: false };
  }
  if (rules.requireReason && !ask.reason)
    throw new InvalidRequestError('reason_required', 'impersonation without a reason');

  // 'forbid' was refused above: a route rule here can only carry grants of its own.
  const routeRule = ctx.route?.impersonation;
  const grants = routeRule ? routeGrants(routeRule.grants) : rules.grants;
  const candidates = grants.filter((g) => grantNamesInitiator(g, initiator));
  // Decide what we can before touching the directory, so its timing tells nobody anything.
  if (candidates.length === 0) deny('not_allowed', `${initiator.id} has no grant`);

  let user: Principal;
  let targetGroups: readonly string[];
  if (ctx.directory) {
    const found = await lookup(ctx.directory, ask.target, 'directory');
    if (!found || typeof found.id !== 'string' || !found.id)
      deny('unknown_target', `no user ${JSON.stringify(ask.target)}`);
    targetGroups = found.groups ?? [];
    // The effective user acts with the target's groups (or those asked for), never the initiator's.
    user = {
      id: found.id,
      groups: ask.groups.length > 0 ? [...ask.groups] : [...targetGroups],
      kind: 'user',
      claims: EMPTY_CLAIMS,
    };
    if (found.email !== undefined) user.email = found.email;
    if (found.name !== undefined) user.name = found.name;
  } else {
    targetGroups = ask.groups;
    user = { id: ask.target, groups: [...ask.groups], kind: 'user', claims: EMPTY_CLAIMS };
    if (ask.target.includes('@')) user.email = ask.target;
  }
  if (sameUser(initiator, user.id) && ask.groups.length === 0 && ask.via !== 'act-claim') {
    return { initiator, user: initiator, impersonating: false };
  }

  const names: TargetNames = {
    requested: ask.target,
    id: user.id,
    groups: targetGroups,
    ...(user.email !== undefined ? { email: user.email } : {}),
  };
  if (rules.protect.isProtected(names)) deny('protected_target', `${user.id} is protected`);
  const allowing = candidates.filter((g) => grantAllowsTarget(g, names));
  if (allowing.length === 0) deny('not_allowed', `no grant lets ${initiator.id} act as ${user.id}`);
  const withGroups = allowing.filter((g) => grantAllowsGroups(g, ask.groups));
  if (withGroups.length === 0)
    deny('group_not_allowed', `groups ${JSON.stringify(ask.groups)} are not granted`);
  const grant = SAFE_METHODS.has(ctx.request.method.toUpperCase())
    ? withGroups[0]!
    : withGroups.find((g) => !g.readOnly);
  if (!grant) deny('read_only', `${ctx.request.method} under a read-only grant`);

  if (rules.canImpersonate) {
    let verdict: unknown;
    try {
      verdict = await rules.canImpersonate(initiator, user, ctx.request);
    } catch (err) {
      deny(
        'hook_denied',
        `canImpersonate threw: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    if (verdict !== true) deny('hook_denied', 'canImpersonate said no');
  }
  return { initiator, user, impersonating: true, grant: grant.name };
}
