import { lookupOption } from '../config/resolve-options.js';
import { routePlan } from '../decide/route-plan.js';
import { policyInput, type NamedPolicy } from '../decide/apply-policy.js';
import {
  InsufficientScopeError,
  isPomeriumAuthError,
  PomeriumAuthConfigError,
  type PomeriumAuthError,
  type PomeriumAuthErrorCode,
} from '../errors.js';
import type { Identity, Principal } from '../identity.js';
import { decideImpersonation } from '../impersonation/decide-impersonation.js';
import type { ImpersonationAsk } from '../impersonation/impersonation-request.js';
import {
  compileImpersonationRules,
  type ImpersonationRules,
} from '../impersonation/impersonation-rules.js';
import { boundedLookup, DEFAULT_LOOKUP_TIMEOUT } from '../lookups/bounded-lookup.js';
import type { DirectoryUser, Lookup, PomeriumAuthOptions } from '../options.js';
import { compilePolicy, isCompiledPolicy } from '../policy/compile-policy.js';
import type { PolicyDecision } from '../policy/policy-decision.js';
import { directoryLookup } from '../records/record-lookups.js';
import type { AuthRequest } from '../request.js';
import { narrowImpersonation, type RouteRule } from '../route/route-rule.js';

/**
 * A question for {@link explainImpersonation} and `auth.explain`: may this initiator (acting as
 * that target, when one is named) make this request, and what decides?
 */
export interface ExplainQuestion {
  /** The initiator: an id or email (groups then come from the directory), or a principal-like object. */
  initiator: string | { id: string; email?: string; groups?: string[] };
  /** The target asked for (id or email); absent: the initiator acts as themself. */
  target?: string;
  /** Groups asked for by header. */
  groups?: string[];
  /** HTTP method, default GET. */
  method?: string;
  /** Request path, default `/` (policies' `http_path`). */
  path?: string;
  /** Client address (policies' `source_ip`). */
  ip?: string;
  reason?: string;
  /** The route's rule or rules (forbid, grants, policy), as its route helpers give them. */
  route?: RouteRule | readonly RouteRule[];
  /** When, in ms since the epoch (policies' time criteria). Default now. */
  now?: number;
}

/** One policy's answer in an {@link ExplainAnswer}. */
export interface PolicyExplanation {
  /** `policy` (the option), a compiled policy's own name, or `route`. */
  name: string;
  allowed: boolean;
  /** Pomerium-style reasons of the deciding side (`groups-ok`, `user-unauthorized`, ...). */
  reasons: PolicyDecision['reasons'];
  /** The rules, operators and criteria that decided. */
  decidedBy: PolicyDecision['decidedBy'];
}

/** The answer of {@link explainImpersonation} and `auth.explain`. */
export interface ExplainAnswer {
  /** Whether the request would pass: the impersonation (when asked) and every policy. */
  allowed: boolean;
  /** The initiator as the rules saw it (a name given as a string is resolved in the directory). */
  initiator: { id: string; email?: string; groups: string[]; fromDirectory: boolean };
  /** False when no target was named, or the target is the initiator itself. */
  impersonating: boolean;
  /** The grant that allows the impersonation. */
  grant?: string;
  /** Why it is refused (the audit reason: `not_allowed`, `policy_denied`, ...), and the detail. */
  reason?: string;
  /** The answer the client would get when refused (`impersonation_denied`, `insufficient_scope`, ...). */
  error?: PomeriumAuthErrorCode;
  detail?: string;
  /** The effective user it would give: whose policies apply. */
  effectiveUser?: { id: string; email?: string; groups: string[] };
  /** Each policy evaluated, in order (the app-wide one, then the route's), until one refused. */
  policies: PolicyExplanation[];
}

/** What a dry run needs, compiled once. */
export interface ExplainRules {
  impersonation: ImpersonationRules;
  directory?: Lookup<DirectoryUser> | undefined;
  policy?: NamedPolicy | undefined;
  lookupTimeout: number;
}

/**
 * A dry run of the impersonation rules and the policies with the same options object the app
 * uses: may this initiator act as that target on this route, is the effective user allowed there,
 * and which grant, rule or criteria decide. Only `impersonation`, `directory` and `policy` are
 * read, so no keys or secrets are needed. Nothing is audited.
 *
 * @param options - the app's options (only `impersonation`, `directory` and `policy` are read).
 * @param question - who, as whom, which request, which route rules.
 * @throws {PomeriumAuthConfigError} for an invalid option or route rule; the promise rejects
 *   with one for an invalid question, naming its field (`question.initiator`).
 *
 * @example
 * ```ts
 * const answer = await explainImpersonation(options, { initiator: 'admin', target: 'user_1', path: '/reports' });
 * // { allowed: true, impersonating: true, grant: 'search-guard', effectiveUser: { ... }, policies: [...] }
 * ```
 */
export function explainImpersonation(
  options: Pick<PomeriumAuthOptions, 'impersonation' | 'directory' | 'policy' | 'lookupTimeout'>,
  question: ExplainQuestion,
): Promise<ExplainAnswer> {
  const directory = lookupOption(options.directory, 'directory', directoryLookup);
  let policy: NamedPolicy | undefined;
  if (options.policy !== undefined) {
    const compiled = isCompiledPolicy(options.policy)
      ? options.policy
      : compilePolicy(options.policy);
    policy = { policy: compiled, name: compiled.name ?? 'policy' };
  }
  const rules: ExplainRules = {
    impersonation: compileImpersonationRules(options.impersonation),
    directory,
    policy,
    lookupTimeout: options.lookupTimeout ?? DEFAULT_LOOKUP_TIMEOUT,
  };
  return explainDecision(rules, question);
}

/** {@link explainImpersonation} with rules already compiled (what `PomeriumAuth#explain` uses). */
export async function explainDecision(
  rules: ExplainRules,
  q: ExplainQuestion,
): Promise<ExplainAnswer> {
  checkQuestion(q);
  const plan = routePlan(q.route);
  const { principal: initiator, fromDirectory } = await initiatorOf(
    q.initiator,
    rules.directory,
    rules.lookupTimeout,
  );
  const seen = {
    id: initiator.id,
    groups: initiator.groups,
    fromDirectory,
    ...(initiator.email !== undefined ? { email: initiator.email } : {}),
  };
  const request: AuthRequest = { method: q.method ?? 'GET', url: q.path ?? '/', headers: {} };
  if (q.ip !== undefined) request.ip = q.ip;
  let user = initiator;
  let impersonating = false;
  let grant: string | undefined;
  if (q.target !== undefined || (q.groups?.length ?? 0) > 0) {
    const ask: ImpersonationAsk = {
      via: 'header',
      initiator,
      groups: [...(q.groups ?? [])],
      chained: false,
      ...(q.target !== undefined ? { target: q.target } : {}),
      ...(q.reason !== undefined ? { reason: q.reason } : {}),
    };
    try {
      const outcome = await decideImpersonation(ask, {
        rules: rules.impersonation,
        directory: rules.directory,
        request,
        route: plan.impersonation,
        lookupTimeout: rules.lookupTimeout,
      });
      ({ user, impersonating, grant } = outcome);
    } catch (err) {
      if (!isPomeriumAuthError(err)) throw err;
      return refusedAnswer(seen, true, err, []);
    }
  }
  const identity: Identity = {
    user,
    initiator,
    impersonating,
    credential: { source: 'assertion' },
    requestId: 'explain',
  };
  // The route's later impersonation rules narrow what the first allowed, as in a request.
  try {
    for (const rule of plan.narrowing) narrowImpersonation(identity, request, rule);
  } catch (err) {
    if (!isPomeriumAuthError(err)) throw err;
    return refusedAnswer(seen, true, err, []);
  }
  const effectiveUser = {
    id: user.id,
    groups: user.groups,
    ...(user.email !== undefined ? { email: user.email } : {}),
  };
  const policies: PolicyExplanation[] = [];
  const named = [...(rules.policy ? [rules.policy] : []), ...plan.policies];
  for (const { policy, name } of named) {
    const decision = policy.evaluate({
      ...policyInput(policy, identity, request),
      ...(q.now !== undefined ? { now: q.now } : {}),
    });
    policies.push({
      name,
      allowed: decision.allowed,
      reasons: decision.reasons,
      decidedBy: decision.decidedBy,
    });
    if (!decision.allowed) {
      const refusal = new InsufficientScopeError(
        `policy ${name} denied: ${decision.reasons.join(', ')}`,
      );
      const answer = refusedAnswer(seen, impersonating, refusal, policies);
      answer.effectiveUser = effectiveUser;
      if (grant !== undefined) answer.grant = grant;
      return answer;
    }
  }
  return {
    allowed: true,
    initiator: seen,
    impersonating,
    ...(grant !== undefined ? { grant } : {}),
    effectiveUser,
    policies,
  };
}

function refusedAnswer(
  initiator: ExplainAnswer['initiator'],
  impersonating: boolean,
  err: PomeriumAuthError,
  policies: PolicyExplanation[],
): ExplainAnswer {
  const answer: ExplainAnswer = {
    allowed: false,
    initiator,
    impersonating,
    reason: err.reason,
    error: err.error,
    policies,
  };
  if (err.detail !== undefined) answer.detail = err.detail;
  return answer;
}

const isName = (v: unknown): v is string => typeof v === 'string' && v !== '';
const isStringList = (v: unknown): boolean =>
  Array.isArray(v) && v.every((g) => typeof g === 'string');

/** A question is checked before anything runs: a bad field is named as a bad option is (`question.target`). */
function checkQuestion(q: unknown): void {
  if (q === null || typeof q !== 'object' || Array.isArray(q))
    throw new PomeriumAuthConfigError('question', 'must be an object');
  const { initiator, groups, now, ...rest } = q as Record<string, unknown>;
  if (!isName(initiator)) {
    const who = initiator as Record<string, unknown> | null;
    if (who === null || typeof who !== 'object' || !isName(who.id))
      throw new PomeriumAuthConfigError(
        'question.initiator',
        'must be an id or email, or an object with a string id',
      );
    if (who.email !== undefined && typeof who.email !== 'string')
      throw new PomeriumAuthConfigError('question.initiator.email', 'must be a string');
    if (who.groups !== undefined && !isStringList(who.groups))
      throw new PomeriumAuthConfigError('question.initiator.groups', 'must be a list of strings');
  }
  if (groups !== undefined && !isStringList(groups))
    throw new PomeriumAuthConfigError('question.groups', 'must be a list of strings');
  if (now !== undefined && (typeof now !== 'number' || !Number.isFinite(now)))
    throw new PomeriumAuthConfigError('question.now', 'must be a time in ms since the epoch');
  for (const name of ['target', 'method', 'path', 'ip', 'reason'] as const) {
    if (rest[name] !== undefined && typeof rest[name] !== 'string')
      throw new PomeriumAuthConfigError(`question.${name}`, 'must be a string');
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
