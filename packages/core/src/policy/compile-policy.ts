/**
 * `compilePolicy`: a PPL document checked and compiled once, then evaluated synchronously on
 * every request with Pomerium's semantics (its `pkg/policy/generator`):
 *
 * - all operators of all `allow` actions are OR'd, and so are those of all `deny` actions;
 * - access is granted when `allow` holds and `deny` does not; an empty document denies;
 * - `and`: all criteria hold; `or`: any holds; `not`: none holds (the AND of the inverted
 *   results); `nor`: not all hold (the OR of the inverted results);
 * - an operator with an empty list is left out (it does not hold, even vacuously);
 * - reasons merge as Pomerium merges them: a side that holds gives the reasons of what made it
 *   hold, a side that does not gives the reasons of everything that failed.
 */
import { PomeriumAuthConfigError } from '../errors.js';
import {
  compileCriterion,
  criterionEntry,
  PASS,
  type InputField,
  type Outcome,
} from './criteria.js';
import { closestName, describe, isPlainObject, policyError } from './document-values.js';
import { EvaluationContext } from './evaluation-context.js';
import type {
  PolicyActionName,
  PolicyCriterionTrace,
  PolicyDecision,
  PolicyInput,
  PolicyOperator,
  PolicyOperatorTrace,
} from './policy-decision.js';
import type { PolicyDocument } from './policy-document.js';
import { parsePolicyText } from './policy-text.js';
import { reasonBit, reasonsOf } from './reasons.js';
import { canonicalPath, pathWithoutQuery } from './request-path.js';

/**
 * Options of {@link compilePolicy}.
 *
 * @example
 * ```ts
 * compilePolicy(route.policy, { option: `routes[${i}].policy`, name: route.path });
 * ```
 */
export interface CompilePolicyOptions {
  /**
   * The option the document was given as, prefixed to every error's `option`: default
   * `'policy'`, giving `policy[1].allow.or[0].email`.
   */
  option?: string;
  /** A name for the policy, kept as {@link CompiledPolicy.name} (for audit and explain). */
  name?: string;
}

/**
 * Which fields of a {@link PolicyInput} a policy reads.
 *
 * @example
 * ```ts
 * const input = { user, method: req.method, path: req.url, ip: policy.reads.ip ? req.ip : undefined };
 * ```
 */
export interface PolicyReads {
  readonly user: boolean;
  readonly method: boolean;
  readonly path: boolean;
  readonly ip: boolean;
  readonly now: boolean;
}

/**
 * A checked and compiled policy document.
 *
 * @example
 * ```ts
 * const policy = compilePolicy({ allow: { or: [{ groups: { has: 'finance' } }] } }, { name: 'finance' });
 * const { allowed, reasons } = policy.evaluate({ user: identity.user, method: 'GET', path: '/ledger' });
 * ```
 */
export interface CompiledPolicy {
  readonly name?: string;
  /**
   * What the policy reads of its input: a caller may skip computing what it does not read (the
   * client address, for instance, which some frameworks compute on each read).
   */
  readonly reads: PolicyReads;
  /**
   * Decides one request. Synchronous, and never throws: input it cannot read (a claims object
   * whose getters throw, say) is denied with the reason `policy-error`.
   *
   * A path that is not in canonical form (it holds `%` escapes, `//`, `.` or `..` segments)
   * is allowed only if both the path as sent and its canonical form are allowed: Pomerium judges
   * the canonical form, while the application's router may see either.
   *
   * The decision is frozen, and the same object for every evaluation whose criteria came out
   * the same: a decision is a function of its criteria's outcomes, so it is built once.
   */
  evaluate(input: PolicyInput): PolicyDecision;
}

const OPERATORS: readonly PolicyOperator[] = ['and', 'or', 'not', 'nor'];
const AND = 0;
const OR = 1;
const NOT = 2;
const NOR = 3;

// An operator's result is its reason bits (bits 0 to 27) and this bit when it matched.
const MATCHED = 1 << 30;
const REASONS = MATCHED - 1;

interface Criterion {
  readonly slot: number;
  readonly test: (ctx: EvaluationContext) => Outcome;
  /** Reason bits by outcome: fail, pass, unauthenticated. */
  readonly bits: readonly [number, number, number];
  readonly traces: readonly [PolicyCriterionTrace, PolicyCriterionTrace, PolicyCriterionTrace];
}

class Operator {
  /** Position among all operators of the policy, for the evaluation's scratch. */
  readonly index: number;
  readonly #kind: number;
  readonly #criteria: readonly Criterion[];
  readonly #rule: number;
  readonly #action: PolicyActionName;
  readonly #operator: PolicyOperator;
  readonly #path: string;

  constructor(
    index: number,
    rule: number,
    action: PolicyActionName,
    operator: PolicyOperator,
    path: string,
    criteria: readonly Criterion[],
  ) {
    this.index = index;
    this.#rule = rule;
    this.#action = action;
    this.#operator = operator;
    this.#kind = OPERATORS.indexOf(operator);
    this.#path = path;
    this.#criteria = criteria;
  }

  /** The operator's result from its criteria's outcomes (Pomerium's reasons need them all). */
  result(outcomes: Uint8Array): number {
    let passBits = 0;
    let failBits = 0;
    let anyPass = false;
    let anyFail = false;
    for (const criterion of this.#criteria) {
      const outcome = outcomes[criterion.slot] as Outcome;
      if (outcome === PASS) {
        anyPass = true;
        passBits |= criterion.bits[outcome];
      } else {
        anyFail = true;
        failBits |= criterion.bits[outcome];
      }
    }
    switch (this.#kind) {
      case AND:
        return anyFail ? failBits : MATCHED | passBits;
      case OR:
        return anyPass ? MATCHED | passBits : failBits;
      case NOT:
        return anyPass ? passBits : MATCHED | failBits;
      case NOR:
      default:
        return anyFail ? MATCHED | failBits : passBits;
    }
  }

  /** This operator's trace for `outcomes`. */
  trace(outcomes: Uint8Array, matched: boolean): PolicyOperatorTrace {
    return Object.freeze({
      rule: this.#rule,
      action: this.#action,
      operator: this.#operator,
      path: this.#path,
      matched,
      criteria: Object.freeze(this.#criteria.map((c) => c.traces[outcomes[c.slot] as Outcome])),
    });
  }
}

const NO_TRACES: readonly PolicyOperatorTrace[] = Object.freeze([]);
const ERROR_DECISION: PolicyDecision = Object.freeze({
  allowed: false,
  reasons: reasonsOf(reasonBit('policy-error')),
  decidedBy: NO_TRACES,
});

// A decision is a function of its criteria's outcomes alone, so a policy of up to this many
// criteria keeps each decision by its outcome pattern (a base-3 number below 3^18 < 2^30, a small
// integer), built once: evaluating is then the criteria, and the last decision or one lookup.
// The bound on entries only keeps a policy whose patterns vary without end from growing the
// cache without end.
const MAX_KEYED_CRITERIA = 18;
const MAX_CACHED_DECISIONS = 256;

class Policy implements CompiledPolicy {
  readonly name?: string;
  readonly reads: PolicyReads;
  readonly #allow: readonly Operator[];
  readonly #deny: readonly Operator[];
  /** Every criterion of the document, by slot. */
  readonly #criteria: readonly Criterion[];
  readonly #decisions: Map<number, PolicyDecision> | undefined;
  #lastKey = -1;
  #lastDecision: PolicyDecision = ERROR_DECISION;

  constructor(
    name: string | undefined,
    allow: readonly Operator[],
    deny: readonly Operator[],
    criteria: readonly Criterion[],
    reads: PolicyReads,
  ) {
    if (name !== undefined) this.name = name;
    this.#allow = allow;
    this.#deny = deny;
    this.#criteria = criteria;
    this.#decisions = criteria.length <= MAX_KEYED_CRITERIA ? new Map() : undefined;
    this.reads = reads;
  }

  evaluate(input: PolicyInput): PolicyDecision {
    try {
      const source: PolicyInput = input ?? { method: '', path: '' };
      const ctx = new EvaluationContext(source);
      if (!this.reads.path) return this.#decide(ctx);
      const path = source.path;
      const raw = pathWithoutQuery(typeof path === 'string' ? path : '');
      const canonical = canonicalPath(raw);
      ctx.path = canonical;
      const first = this.#decide(ctx);
      if (canonical === raw || !first.allowed) return first;
      ctx.path = raw;
      const second = this.#decide(ctx);
      return second.allowed ? first : second;
    } catch {
      return ERROR_DECISION;
    }
  }

  /**
   * Every criterion's outcome (the `allow` side's too when a `deny` holds: criteria have no
   * effects, and one pass over one list is cheaper than walking the operators), then the
   * decision those outcomes make.
   */
  #decide(ctx: EvaluationContext): PolicyDecision {
    const criteria = this.#criteria;
    const decisions = this.#decisions;
    if (decisions === undefined) {
      const outcomes = new Uint8Array(criteria.length);
      for (let slot = 0; slot < criteria.length; slot++) outcomes[slot] = criteria[slot]!.test(ctx);
      return this.#decisionOf(outcomes);
    }
    let key = 0;
    for (let slot = 0; slot < criteria.length; slot++) key = key * 3 + criteria[slot]!.test(ctx);
    if (key === this.#lastKey) return this.#lastDecision;
    let decision = decisions.get(key);
    if (decision === undefined) {
      decision = this.#decisionOf(outcomesOf(key, criteria.length));
      if (decisions.size < MAX_CACHED_DECISIONS) decisions.set(key, decision);
    }
    this.#lastKey = key;
    this.#lastDecision = decision;
    return decision;
  }

  /** The decision `outcomes` (one per criterion, by slot) make: `deny` first, then `allow`. */
  #decisionOf(outcomes: Uint8Array): PolicyDecision {
    const results = new Int32Array(this.#allow.length + this.#deny.length);
    const deny = this.#side(this.#deny, outcomes, results);
    if (deny & MATCHED) return this.#decision(false, deny, this.#deny, outcomes, results, true);
    const allow = this.#side(this.#allow, outcomes, results);
    const allowed = (allow & MATCHED) !== 0;
    return this.#decision(allowed, allow, this.#allow, outcomes, results, allowed);
  }

  /** The OR of a side's operators (Pomerium evaluates them all, for their reasons). */
  #side(operators: readonly Operator[], outcomes: Uint8Array, results: Int32Array): number {
    let matchedBits = 0;
    let allBits = 0;
    let matched = false;
    for (const operator of operators) {
      const result = operator.result(outcomes);
      results[operator.index] = result;
      allBits |= result & REASONS;
      if (result & MATCHED) {
        matched = true;
        matchedBits |= result & REASONS;
      }
    }
    return matched ? MATCHED | matchedBits : allBits;
  }

  /**
   * The decision, traced by the side's operators that held (`onlyMatched`) or by all of them
   * (none held). Frozen: decisions are shared between evaluations.
   */
  #decision(
    allowed: boolean,
    side: number,
    operators: readonly Operator[],
    outcomes: Uint8Array,
    results: Int32Array,
    onlyMatched: boolean,
  ): PolicyDecision {
    const traces: PolicyOperatorTrace[] = [];
    for (const operator of operators) {
      const matched = (results[operator.index]! & MATCHED) !== 0;
      if (onlyMatched && !matched) continue;
      traces.push(operator.trace(outcomes, matched));
    }
    return Object.freeze({
      allowed,
      reasons: reasonsOf(side & REASONS),
      decidedBy: traces.length === 0 ? NO_TRACES : Object.freeze(traces),
    });
  }
}

/** The outcomes a base-3 key stands for, the first criterion's the most significant digit. */
function outcomesOf(key: number, count: number): Uint8Array {
  const outcomes = new Uint8Array(count);
  for (let slot = count - 1; slot >= 0; slot--) {
    outcomes[slot] = key % 3;
    key = Math.floor(key / 3);
  }
  return outcomes;
}

// ---------------------------------------------------------------------------------------------
// compiling

/**
 * Checks and compiles a PPL document: one rule, a list of rules, or YAML or JSON text. Every
 * criterion, matcher and value is checked here, so that evaluating never meets a bad one.
 *
 * Throws a `PomeriumAuthConfigError` whose `option` is the path of what is wrong, under
 * `options.option` (default `policy`): `policy[1].allow.or[0].emial` for an unknown criterion,
 * `policy.allow.and[2].source_ip[1]` for a bad address, `policy` and a line number for text that
 * is not YAML. Criteria only Pomerium's proxy can judge (`device`, `client_certificate`, ...) are
 * refused with a message naming them.
 *
 * @param doc - the document: one rule, a list of rules, or YAML or JSON text of either.
 * @param options - `name`, shown in decisions and audit events; `option`, the path errors are
 *   named under (default `policy`).
 * @throws {PomeriumAuthConfigError} for anything wrong in the document, `err.option` naming
 *   where.
 *
 * @example
 * ```ts
 * import { compilePolicy } from '@pomerium-auth/core';
 *
 * const finance = compilePolicy(`
 * allow:
 *   and:
 *     - domain: corp.example
 *     - groups: { has: finance }
 * deny:
 *   or:
 *     - http_method: DELETE
 * `, { name: 'finance' });
 *
 * const decision = finance.evaluate({ user: identity.user, method: req.method, path: req.url });
 * // { allowed: true, reasons: ['domain-ok', 'groups-ok'], decidedBy: [{ path: 'policy.allow.and', ... }] }
 * ```
 */
export function compilePolicy(
  doc: PolicyDocument,
  options: CompilePolicyOptions = {},
): CompiledPolicy {
  const option = options?.option ?? 'policy';
  if (typeof option !== 'string' || option === '')
    throw new PomeriumAuthConfigError('option', 'must be a non-empty string');
  const name = options?.name;
  if (name !== undefined && typeof name !== 'string')
    throw new PomeriumAuthConfigError(`${option} name`, 'must be a string');
  try {
    return compileDocument(doc, option, name);
  } catch (err) {
    if (err instanceof PomeriumAuthConfigError) throw err;
    // A document whose getters throw, or that holds a cycle: still a configuration error.
    throw new PomeriumAuthConfigError(
      option,
      `could not be read (${(err as Error)?.message ?? String(err)})`,
    );
  }
}

function compileDocument(doc: unknown, option: string, name: string | undefined): CompiledPolicy {
  const value = typeof doc === 'string' ? parsePolicyText(doc, option) : doc;
  let rules: [unknown, string][];
  if (Array.isArray(value)) rules = value.map((rule, i) => [rule, `${option}[${i}]`]);
  else if (isPlainObject(value)) rules = [[value, option]];
  else
    return policyError(
      option,
      `must be a rule ({ allow, deny }), a list of rules, or YAML or JSON text; got ${describe(value)}`,
    );

  const allow: Operator[] = [];
  const deny: Operator[] = [];
  const reads = { user: false, method: false, path: false, ip: false, now: false };
  const all: Criterion[] = [];
  rules.forEach(([rule, rulePath], ruleIndex) => {
    if (!isPlainObject(rule))
      policyError(
        rulePath,
        `must be a rule (an object with allow and/or deny), got ${describe(rule)}`,
      );
    for (const key of Object.keys(rule))
      if (key !== 'allow' && key !== 'deny')
        policyError(`${rulePath}.${key}`, `unknown action "${key}": a rule has allow and/or deny`);
    for (const action of ['allow', 'deny'] as const) {
      // `undefined` (only JavaScript can write it) is taken as absent: `allow: cond ? x : undefined`.
      if (!Object.hasOwn(rule, action) || rule[action] === undefined) continue;
      const body = rule[action];
      const actionPath = `${rulePath}.${action}`;
      if (!isPlainObject(body))
        policyError(
          actionPath,
          `must be an object of operators (and, or, not, nor), got ${describe(body)}`,
        );
      for (const key of Object.keys(body)) {
        // Pomerium's parser tolerates (and ignores) a key named action.
        if ((OPERATORS as readonly string[]).includes(key) || key === 'action') continue;
        const suggestion = closestName(key, OPERATORS);
        policyError(
          `${actionPath}.${key}`,
          `unknown operator "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; known: and, or, not, nor`,
        );
      }
      for (const operator of OPERATORS) {
        if (!Object.hasOwn(body, operator) || body[operator] === undefined) continue;
        const list = body[operator];
        const operatorPath = `${actionPath}.${operator}`;
        if (!Array.isArray(list))
          policyError(operatorPath, `must be a list of criteria, got ${describe(list)}`);
        const criteria = list.map((item: unknown, i): Criterion => {
          const itemPath = `${operatorPath}[${i}]`;
          const [key, data] = criterionEntry(item, itemPath);
          const compiled = compileCriterion(key, data, `${itemPath}.${key}`);
          if (compiled.reads !== undefined) reads[compiled.reads satisfies InputField] = true;
          const traceOf = (matched: boolean, reason: typeof compiled.pass) =>
            Object.freeze({ criterion: key, path: itemPath, matched, reason });
          const criterion: Criterion = {
            slot: all.length,
            test: compiled.test,
            bits: [
              reasonBit(compiled.fail),
              reasonBit(compiled.pass),
              reasonBit('user-unauthenticated'),
            ],
            traces: [
              traceOf(false, compiled.fail),
              traceOf(true, compiled.pass),
              traceOf(false, 'user-unauthenticated'),
            ],
          };
          all.push(criterion);
          return criterion;
        });
        // Pomerium leaves an empty operator out: `and: []` does not hold, even vacuously.
        if (criteria.length === 0) continue;
        const operators = action === 'allow' ? allow : deny;
        operators.push(
          new Operator(
            allow.length + deny.length,
            ruleIndex,
            action,
            operator,
            operatorPath,
            criteria,
          ),
        );
      }
    }
  });
  return new Policy(name, allow, deny, all, Object.freeze(reads));
}

/**
 * True for a policy compiled by {@link compilePolicy}: options and route helpers take a document
 * or a compiled policy (one compiled with a `name`, shown in audit events).
 *
 * @example
 * ```ts
 * isCompiledPolicy(compilePolicy({ allow: { or: [{ accept: true }] } })); // true
 * ```
 */
export function isCompiledPolicy(value: unknown): value is CompiledPolicy {
  return value instanceof Policy;
}
