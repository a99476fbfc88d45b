import { lookupOption } from '../config/resolve-options.js';
import { PomeriumAuthError } from '../errors.js';
import type { Principal } from '../identity.js';
import type { DirectoryUser, Lookup, PomeriumAuthOptions } from '../options.js';
import { directoryLookup } from '../records/record-lookups.js';
import type { AuthRequest } from '../request.js';
import type { RouteRule } from '../route/route-rule.js';
import { boundedLookup, DEFAULT_LOOKUP_TIMEOUT } from '../lookups/bounded-lookup.js';
import { decideImpersonation } from './decide-impersonation.js';
import type { ImpersonationAsk } from './impersonation-request.js';
import { compileImpersonationRules, type ImpersonationRules } from './impersonation-rules.js';

/** A question for {@link explainImpersonation}: may this initiator act as that target? */
export interface ExplainQuestion {
  /** The initiator: an id or email (groups then come from the directory), or a principal-like object. */
  initiator: string | { id: string; email?: string; groups?: string[] };
  /** The target asked for (id or email). */
  target: string;
  groups?: string[];
  /** HTTP method, default GET. */
  method?: string;
  reason?: string;
  route?: RouteRule;
}

/** The answer of {@link explainImpersonation}. */
export interface ExplainAnswer {
  allowed: boolean;
  /** The initiator as the rules saw it (a name given as a string is resolved in the directory). */
  initiator: { id: string; email?: string; groups: string[]; fromDirectory: boolean };
  /** False when the target is the initiator itself (not impersonation). */
  impersonating: boolean;
  /** The grant that allows it. */
  grant?: string;
  /** Why it is refused (the audit reason), and the detail. */
  reason?: string;
  detail?: string;
  /** The effective user it would give. */
  effectiveUser?: { id: string; email?: string; groups: string[] };
}

/**
 * A dry run of the impersonation rules with the same options object the app uses: may this
 * initiator act as that target on this route, and which grant or rule decides. Only
 * `impersonation` and `directory` are read, so no keys or secrets are needed. Nothing is audited.
 *
 * @example
 * ```ts
 * const answer = await explainImpersonation(options, { initiator: 'admin', target: 'user_1' });
 * // { allowed: true, impersonating: true, grant: 'search-guard', effectiveUser: { ... } }
 * ```
 */
export function explainImpersonation(
  options: Pick<PomeriumAuthOptions, 'impersonation' | 'directory'>,
  question: ExplainQuestion,
): Promise<ExplainAnswer> {
  const directory = lookupOption(options.directory, 'directory', directoryLookup);
  return explainWithRules(compileImpersonationRules(options.impersonation), directory, question);
}

/** {@link explainImpersonation} with rules already compiled (what `PomeriumAuth#explain` uses). */
export async function explainWithRules(
  rules: ImpersonationRules,
  directory: Lookup<DirectoryUser> | undefined,
  q: ExplainQuestion,
  lookupTimeout = DEFAULT_LOOKUP_TIMEOUT,
): Promise<ExplainAnswer> {
  const { principal: initiator, fromDirectory } = await initiatorOf(
    q.initiator,
    directory,
    lookupTimeout,
  );
  const seen = {
    id: initiator.id,
    groups: initiator.groups,
    fromDirectory,
    ...(initiator.email !== undefined ? { email: initiator.email } : {}),
  };
  const request: AuthRequest = { method: q.method ?? 'GET', url: '/', headers: {} };
  const ask: ImpersonationAsk = {
    via: 'header',
    initiator,
    target: q.target,
    groups: [...(q.groups ?? [])],
    chained: false,
    ...(q.reason !== undefined ? { reason: q.reason } : {}),
  };
  try {
    const outcome = await decideImpersonation(ask, {
      rules,
      directory,
      request,
      route: q.route,
      lookupTimeout,
    });
    const u = outcome.user;
    return {
      allowed: true,
      initiator: seen,
      impersonating: outcome.impersonating,
      ...(outcome.grant !== undefined ? { grant: outcome.grant } : {}),
      effectiveUser: {
        id: u.id,
        groups: u.groups,
        ...(u.email !== undefined ? { email: u.email } : {}),
      },
    };
  } catch (err) {
    if (!(err instanceof PomeriumAuthError)) throw err;
    return {
      allowed: false,
      initiator: seen,
      impersonating: true,
      reason: err.reason,
      ...(err.detail !== undefined ? { detail: err.detail } : {}),
    };
  }
}

/** The initiator as a principal; named by a string, it takes its id, email and groups from the directory. */
async function initiatorOf(
  who: ExplainQuestion['initiator'],
  directory: Lookup<DirectoryUser> | undefined,
  lookupTimeout: number,
): Promise<{ principal: Principal; fromDirectory: boolean }> {
  const found =
    typeof who === 'string' && directory
      ? await boundedLookup(directory, who, 'directory', lookupTimeout)
      : undefined;
  const named =
    typeof who === 'string'
      ? (found ?? { id: who, ...(who.includes('@') ? { email: who } : {}) })
      : who;
  const principal: Principal = {
    id: named.id,
    groups: [...(named.groups ?? [])],
    kind: 'user',
    claims: {},
  };
  if (named.email !== undefined) principal.email = named.email;
  return { principal, fromDirectory: Boolean(found) };
}
