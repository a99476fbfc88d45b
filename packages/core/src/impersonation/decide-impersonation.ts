import {
  ImpersonationDeniedError,
  InvalidRequestError,
  type ImpersonationDeniedReason,
} from '../errors.js';
import type { Principal } from '../identity.js';
import { deepFreeze } from '../lib/deep-freeze.js';
import { foldAsciiCase } from '../lib/fold-ascii-case.js';
import { boundedLookup } from '../lookups/bounded-lookup.js';
import type { DirectoryUser, Lookup } from '../options.js';
import type { AuthRequest } from '../request.js';
import { routeGrants, type RouteRule } from '../route/route-rule.js';
import { grantAllowing, grantsNaming, targetNamesOf } from './grants.js';
import type { ImpersonationAsk } from './impersonation-request.js';
import type { ImpersonationRules } from './impersonation-rules.js';
import { rememberJudged } from './judged-impersonations.js';
import { checkTargetName } from './look-alike-names.js';

const EMPTY_CLAIMS: Readonly<Record<string, unknown>> = Object.freeze({});

/** What an allowed impersonation yields. */
export interface ImpersonationOutcome {
  initiator: Principal;
  /**
   * The effective principal; when the ask was for oneself, the authenticated principal itself
   * (also the initiator then).
   */
  user: Principal;
  impersonating: boolean;
  grant?: string;
}

/** Everything a decision needs besides the ask. */
export interface ImpersonationContext {
  rules: ImpersonationRules;
  directory?: Lookup<DirectoryUser> | undefined;
  request: AuthRequest;
  route?: RouteRule | undefined;
  /** Milliseconds each directory lookup may take. */
  lookupTimeout: number;
}

function deny(reason: ImpersonationDeniedReason, detail: string): never {
  throw new ImpersonationDeniedError(reason, detail);
}

function sameUser(principal: Principal, name: string): boolean {
  return (
    principal.id === name ||
    (principal.email !== undefined &&
      name.includes('@') &&
      foldAsciiCase(principal.email) === foldAsciiCase(name))
  );
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * A directory user's claims for the effective principal (policies' `claim/<name>`): the record's
 * own `claims`, copied (the directory's objects are never frozen or shared), with its id, email,
 * name and groups.
 */
function directoryClaims(
  found: DirectoryUser,
  groups: readonly string[],
): Readonly<Record<string, unknown>> {
  let extra: Record<string, unknown> = {};
  if (found.claims !== null && typeof found.claims === 'object') {
    try {
      extra = structuredClone(found.claims);
    } catch {
      // Values that cannot be cloned (functions) are not claims.
      extra = {};
    }
  }
  const claims: Record<string, unknown> = { ...extra, sub: found.id, groups: [...groups] };
  if (found.email !== undefined) claims.email = found.email;
  if (found.name !== undefined) claims.name = found.name;
  return deepFreeze(claims);
}

/**
 * Decides an impersonation ask against the rules (the core README, "Impersonation"), in this
 * order: enabled, chaining, route, the target's name, reason, a grant naming the initiator, the
 * target's existence, `protect`, the grant's targets and groups, read-only, and the
 * `canImpersonate` hook. Every refusal is the same 403 `impersonation_denied` to the client; its
 * `reason` says what really decided.
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
  checkTargetName(ask.target);
  for (const group of ask.groups) checkTargetName(group, 'group');

  let initiator = ask.initiator;
  if (ask.via === 'act-claim' && ctx.directory && initiator.id) {
    const actor = await boundedLookup(ctx.directory, initiator.id, 'directory', ctx.lookupTimeout);
    if (actor) {
      initiator = { ...initiator, groups: strings(actor.groups) };
      if (actor.email !== undefined) initiator.email = actor.email;
    }
  }
  // Acting as oneself is no impersonation, however it was asked for: the request is the
  // authenticated principal's own (under an act claim naming its own subject, the token's).
  const oneself: ImpersonationOutcome = {
    initiator: ask.subject ?? initiator,
    user: ask.subject ?? initiator,
    impersonating: false,
  };
  if (sameUser(initiator, ask.target) && ask.groups.length === 0) return oneself;
  if (rules.requireReason && !ask.reason)
    throw new InvalidRequestError('reason_required', 'impersonation without a reason');

  // 'forbid' was refused above: a route rule here can only carry grants of its own.
  const routeRule = ctx.route?.impersonation;
  const grants = routeRule ? routeGrants(routeRule.grants) : rules.grants;
  // Decide what we can before touching the directory, so its timing tells nobody anything.
  const candidates = grantsNaming(grants, initiator);

  let user: Principal;
  let targetGroups: readonly string[];
  if (ctx.directory) {
    const found = await boundedLookup(ctx.directory, ask.target, 'directory', ctx.lookupTimeout);
    if (!found || typeof found.id !== 'string' || !found.id)
      deny('unknown_target', `no user ${JSON.stringify(ask.target)}`);
    targetGroups = strings(found.groups);
    // The effective user acts with the target's groups (or those asked for), never the initiator's.
    const groups = ask.groups.length > 0 ? [...ask.groups] : [...targetGroups];
    user = { id: found.id, groups, kind: 'user', claims: directoryClaims(found, groups) };
    if (typeof found.email === 'string') user.email = found.email;
    if (typeof found.name === 'string') user.name = found.name;
  } else {
    targetGroups = ask.groups;
    user = { id: ask.target, groups: [...ask.groups], kind: 'user', claims: EMPTY_CLAIMS };
    if (ask.target.includes('@')) user.email = ask.target;
  }
  if (sameUser(initiator, user.id) && ask.groups.length === 0) return oneself;

  const names = targetNamesOf(user, ask.target, targetGroups);
  if (rules.protect.isProtected(names)) deny('protected_target', `${user.id} is protected`);
  const grant = grantAllowing(candidates, initiator, names, ask.groups, ctx.request.method);

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
  // A route rule that narrows this decision later judges with the same target and groups.
  rememberJudged(user, names, ask.groups);
  return { initiator, user, impersonating: true, grant: grant.name };
}
