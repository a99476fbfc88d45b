/**
 * What a compiled policy is asked (a {@link PolicyInput}) and what it answers (a
 * {@link PolicyDecision}, with the trace that explains it).
 */
import type { Principal } from '../identity.js';
import type { PolicyReason } from './reasons.js';

/**
 * One request, as a policy sees it. Fields are read only when a criterion of the policy needs
 * them (see {@link CompiledPolicy.reads}), so they may be getters.
 *
 * @example
 * ```ts
 * const input: PolicyInput = { user: identity.user, method: 'GET', path: '/reports?q=1', ip: '::ffff:10.0.0.7' };
 * ```
 */
export interface PolicyInput {
  /** The effective principal (the impersonated user, when impersonating); absent: anonymous. */
  user?: Principal;
  /** The HTTP method as the framework reports it (compared exactly: `GET`, not `get`). */
  method: string;
  /**
   * The request path (`req.url`); a query string is ignored, and an absolute-form target
   * (`http://host/path`) is judged by its path.
   */
  path: string;
  /** The client address as the framework reports it (`10.0.0.7`, `::ffff:10.0.0.7`, `::1`). */
  ip?: string;
  /** The time of the request in ms since the epoch; default `Date.now()`. */
  now?: number;
}

/**
 * The actions of a rule.
 *
 * @example
 * ```ts
 * const deniedByRule = decision.decidedBy.some((o) => o.action === 'deny');
 * ```
 */
export type PolicyActionName = 'allow' | 'deny';

/**
 * The logical operators of an action.
 *
 * @example
 * ```ts
 * const inverted = decision.decidedBy.filter((o) => o.operator === 'not' || o.operator === 'nor');
 * ```
 */
export type PolicyOperator = 'and' | 'or' | 'not' | 'nor';

/**
 * One criterion's result in a decision.
 *
 * @example
 * ```ts
 * // { criterion: 'groups', path: 'policy[1].allow.and[1]', matched: false, reason: 'groups-unauthorized' }
 * ```
 */
export interface PolicyCriterionTrace {
  /** The criterion as written: `email`, `claim/department`. */
  readonly criterion: string;
  /** Where it is in the document: `policy[1].allow.and[1]`. */
  readonly path: string;
  /** Whether the criterion itself held (before `not` or `nor` inverted it). */
  readonly matched: boolean;
  /** Its reason: `groups-ok`, `groups-unauthorized`, `user-unauthenticated`, ... */
  readonly reason: PolicyReason;
}

/**
 * One operator's result in a decision, with each of its criteria.
 *
 * @example
 * ```ts
 * // { rule: 1, action: 'allow', operator: 'and', path: 'policy[1].allow.and', matched: true, criteria: [...] }
 * ```
 */
export interface PolicyOperatorTrace {
  /** Index of the rule in the document (0 for a document that is one rule). */
  readonly rule: number;
  readonly action: PolicyActionName;
  readonly operator: PolicyOperator;
  /** Where it is in the document: `policy[1].allow.and`. */
  readonly path: string;
  /** The operator's result: `and` all hold, `or` any holds, `not` none holds, `nor` not all hold. */
  readonly matched: boolean;
  readonly criteria: readonly PolicyCriterionTrace[];
}

/**
 * A policy's answer, with Pomerium's reasons and what decided.
 *
 * - Some `deny` operator matched: `allowed` is false; `reasons` and `decidedBy` are those of the
 *   `deny` operators that matched.
 * - Else some `allow` operator matched: `allowed` is true; the `allow` operators that matched.
 * - Else: `allowed` is false; every `allow` operator (none matched), and their reasons (among
 *   them `user-unauthenticated` when the request was anonymous). A document without any `allow`
 *   operator decides so with no reasons and an empty `decidedBy`.
 *
 * @example
 * ```ts
 * const decision = policy.evaluate({ user, method: 'GET', path: '/finance/report' });
 * if (!decision.allowed) log.warn({ reasons: decision.reasons, by: decision.decidedBy.map((o) => o.path) });
 * ```
 */
export interface PolicyDecision {
  readonly allowed: boolean;
  /** The reasons of the deciding side, sorted, without repeats: `['groups-ok', 'user-ok']`. */
  readonly reasons: readonly PolicyReason[];
  /** The operators that decided, in document order, each with its criteria's results. */
  readonly decidedBy: readonly PolicyOperatorTrace[];
}
