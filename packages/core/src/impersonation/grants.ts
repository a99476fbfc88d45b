import { optionalBoolean, refuseUnknownKeys } from '../config/option-checks.js';
import { ImpersonationDeniedError, PomeriumAuthConfigError } from '../errors.js';
import type { Principal } from '../identity.js';
import type { Grant } from '../options.js';
import { foldAsciiCase } from '../lib/fold-ascii-case.js';
import { foldLookalikes } from './look-alike-names.js';
import { compileNamePattern, isRegexPattern, type NamePattern } from './name-patterns.js';

const GROUP_PREFIX = 'group:';

/** A target as grants see it: the name asked for and, once resolved, its id, email and groups. */
export interface TargetNames {
  requested: string;
  id: string;
  email?: string;
  groups: readonly string[];
}

/** A target rule: a name pattern, or `group:NAME` (the target is in that group). */
interface TargetRule {
  readonly group?: string;
  readonly pattern?: NamePattern;
}

/** A grant, checked and compiled once at construction. */
export interface CompiledGrant {
  readonly name: string;
  readonly initiatorIds: ReadonlySet<string>;
  readonly initiatorEmails: ReadonlySet<string>;
  readonly initiatorGroups: ReadonlySet<string>;
  readonly targets: readonly TargetRule[];
  readonly groups: readonly NamePattern[];
  readonly readOnly: boolean;
}

function stringList(value: unknown, option: string, required: boolean): string[] {
  if (value === undefined && !required) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.length === 0)) {
    throw new PomeriumAuthConfigError(option, 'must be an array of non-empty strings');
  }
  if (required && value.length === 0)
    throw new PomeriumAuthConfigError(option, 'must not be empty');
  return value as string[];
}

function compileTargetRule(entry: string, option: string): TargetRule {
  if (entry.startsWith(GROUP_PREFIX)) {
    const group = entry.slice(GROUP_PREFIX.length);
    if (!group) throw new PomeriumAuthConfigError(option, '"group:" needs a group name');
    return { group };
  }
  return { pattern: compileNamePattern(entry, option) };
}

/** The fields of a grant: any other is a misspelling, refused. */
const GRANT_KEYS: ReadonlySet<string> = new Set([
  'name',
  'initiators',
  'targets',
  'groups',
  'readOnly',
]);

/**
 * Checks and compiles grants; a bad grant fails here, naming the option.
 *
 * @example
 * ```ts
 * const grants = compileGrants([{ initiators: ['admin'], targets: ['user_*'] }], 'impersonation.grants');
 * ```
 */
export function compileGrants(grants: unknown, option: string): CompiledGrant[] {
  if (grants === undefined) return [];
  if (!Array.isArray(grants))
    throw new PomeriumAuthConfigError(option, 'must be an array of grants');
  return grants.map((grant: Grant, i) => {
    const at = `${option}[${i}]`;
    if (grant === null || typeof grant !== 'object')
      throw new PomeriumAuthConfigError(at, 'must be an object');
    refuseUnknownKeys(grant, GRANT_KEYS, at, 'grant field');
    if (grant.name !== undefined && typeof grant.name !== 'string')
      throw new PomeriumAuthConfigError(`${at}.name`, 'must be a string');
    optionalBoolean(grant.readOnly, `${at}.readOnly`);
    const initiators = stringList(grant.initiators, `${at}.initiators`, true);
    const ids = new Set<string>();
    const emails = new Set<string>();
    const groups = new Set<string>();
    for (const entry of initiators) {
      if (entry.startsWith(GROUP_PREFIX)) groups.add(entry.slice(GROUP_PREFIX.length));
      else if (entry.includes('@')) emails.add(foldAsciiCase(entry));
      else ids.add(entry);
    }
    return {
      name: grant.name ?? `grant #${i}`,
      initiatorIds: ids,
      initiatorEmails: emails,
      initiatorGroups: groups,
      targets: stringList(grant.targets, `${at}.targets`, true).map((t, j) =>
        compileTargetRule(t, `${at}.targets[${j}]`),
      ),
      groups: stringList(grant.groups, `${at}.groups`, false).map((g, j) =>
        compileNamePattern(g, `${at}.groups[${j}]`),
      ),
      readOnly: grant.readOnly === true,
    };
  });
}

/** Does this grant name the initiator (by id exactly, by email case-insensitively, or by group)? */
function grantNamesInitiator(grant: CompiledGrant, initiator: Principal): boolean {
  if (grant.initiatorIds.has(initiator.id)) return true;
  if (initiator.email !== undefined && grant.initiatorEmails.has(foldAsciiCase(initiator.email)))
    return true;
  // Ids that look like emails are matched as emails too.
  if (initiator.id.includes('@') && grant.initiatorEmails.has(foldAsciiCase(initiator.id)))
    return true;
  return initiator.groups.some((g) => grant.initiatorGroups.has(g));
}

function ruleMatches(rule: TargetRule, target: TargetNames): boolean {
  if (rule.group !== undefined) return target.groups.includes(rule.group);
  // A target may be named by its id or by its email.
  return (
    rule.pattern!.matches(target.id) ||
    (target.email !== undefined && rule.pattern!.matches(target.email))
  );
}

/** Does this grant allow the target (by id, email, or one of its own groups)? */
function grantAllowsTarget(grant: CompiledGrant, target: TargetNames): boolean {
  return grant.targets.some((rule) => ruleMatches(rule, target));
}

/** Are all the groups asked for allowed by this grant (Kubernetes-style, separately from the user)? */
function grantAllowsGroups(grant: CompiledGrant, groups: readonly string[]): boolean {
  return groups.every((g) => grant.groups.some((p) => p.matches(g)));
}

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The grants that name the initiator. Refuses with `not_allowed` when none does: the decision
 * asks this before the directory, so its timing tells nobody whether the target exists.
 *
 * @param what - what the grants are called in the refusal's detail (`grant`, `route grant`).
 */
export function grantsNaming(
  grants: readonly CompiledGrant[],
  initiator: Principal,
  what = 'grant',
): CompiledGrant[] {
  const naming = grants.filter((g) => grantNamesInitiator(g, initiator));
  if (naming.length === 0)
    throw new ImpersonationDeniedError('not_allowed', `${initiator.id} has no ${what}`);
  return naming;
}

/**
 * The grant, among those naming the initiator ({@link grantsNaming}), that lets it act as the
 * target with the groups asked for, for this method. The target is judged by its own names and
 * groups (`group:NAME` is a group the target is in, never one asked for); each group asked for
 * must match the grant's `groups`. Refuses with `not_allowed` when no grant names the target,
 * `group_not_allowed` when none of those allows the groups, and `read_only` when only read-only
 * ones allow a method other than GET, HEAD and OPTIONS. The impersonation decision and a route
 * rule narrowing it afterwards both judge with this.
 */
export function grantAllowing(
  candidates: readonly CompiledGrant[],
  initiator: Principal,
  target: TargetNames,
  groups: readonly string[],
  method: string,
  what = 'grant',
): CompiledGrant {
  const allowing = candidates.filter((g) => grantAllowsTarget(g, target));
  if (allowing.length === 0) {
    throw new ImpersonationDeniedError(
      'not_allowed',
      `no ${what} lets ${initiator.id} act as ${target.id}`,
    );
  }
  const withGroups = allowing.filter((g) => grantAllowsGroups(g, groups));
  if (withGroups.length === 0) {
    throw new ImpersonationDeniedError(
      'group_not_allowed',
      `groups ${JSON.stringify(groups)} are not granted`,
    );
  }
  // Any grant allows GET, HEAD and OPTIONS; other methods need one that is not read-only.
  const grant = SAFE_METHODS.has(method.toUpperCase())
    ? withGroups[0]
    : withGroups.find((g) => !g.readOnly);
  if (!grant)
    throw new ImpersonationDeniedError('read_only', `${method} under a read-only ${what}`);
  return grant;
}

/** The names a target goes by, for grants and `protect`. */
export function targetNamesOf(
  user: { id: string; email?: string | undefined },
  requested: string,
  groups: readonly string[],
): TargetNames {
  const names: TargetNames = { requested, id: user.id, groups };
  if (user.email !== undefined) names.email = user.email;
  return names;
}

/** Protected targets: nobody may impersonate them. Compiled once. */
export interface ProtectList {
  isProtected(target: TargetNames): boolean;
}

/**
 * Compiles `protect`. Unlike grants, it fails closed: a target is protected when any name it goes
 * by (the name asked for, id, email) matches, also once folded to what it looks like (case,
 * compatibility forms, combining marks and confusable letters: {@link foldLookalikes}), or when
 * it is in a protected group (compared the same way).
 */
export function compileProtectList(entries: unknown, option: string): ProtectList {
  const rules = stringList(entries, option, false).map((e, i) =>
    compileTargetRule(e, `${option}[${i}]`),
  );
  // A regex is applied to the folded name as written; exact names and globs are folded themselves.
  const folded = rules.map((r, i) => {
    const pattern = r.pattern;
    if (!pattern) return undefined;
    if (isRegexPattern(pattern.source)) return pattern;
    return compileNamePattern(foldLookalikes(pattern.source), `${option}[${i}]`);
  });
  const foldedGroups = rules.map((r) =>
    r.group === undefined ? undefined : foldLookalikes(r.group),
  );
  return {
    isProtected(target) {
      const names = [target.requested, target.id, ...(target.email ? [target.email] : [])];
      const foldedNames = names.map(foldLookalikes);
      return rules.some((rule, i) => {
        if (rule.group !== undefined) {
          return target.groups.some(
            (g) => g === rule.group || foldLookalikes(g) === foldedGroups[i],
          );
        }
        return (
          names.some((n) => rule.pattern!.matches(n)) ||
          foldedNames.some((n) => folded[i]!.matches(n))
        );
      });
    },
  };
}
