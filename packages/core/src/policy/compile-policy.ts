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

// Operators with up to this many criteria cache their traces by outcome pattern (3^15 < 2^24).
const MAX_TRACED_CRITERIA = 15;
const MAX_CACHED_TRACES = 256;

interface Criterion {
  readonly slot: number;
  readonly test: (ctx: EvaluationContext) => Outcome;
  /** Reason bits by outcome: fail, pass, unauthenticated. */
  readonly bits: readonly [number, number, number];
  readonly traces: readonly [PolicyCriterionTrace, PolicyCriterionTrace, PolicyCriterionTrace];
}

interface CachedTrace {
  readonly trace: PolicyOperatorTrace;
  /** The trace alone in a list: the usual `decidedBy`, built once. */
  readonly alone: readonly PolicyOperatorTrace[];
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
  readonly #traces = new Map<number, CachedTrace>();

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

  /** Evaluates every criterion (Pomerium's reasons need them all) into `outcomes`. */
  run(ctx: EvaluationContext, outcomes: Uint8Array): number {
    let passBits = 0;
    let failBits = 0;
    let anyPass = false;
    let anyFail = false;
    for (const criterion of this.#criteria) {
      const outcome = criterion.test(ctx);
      outcomes[criterion.slot] = outcome;
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

  /** This operator's trace for the outcomes of its last run. */
  trace(outcomes: Uint8Array, matched: boolean): CachedTrace {
    const criteria = this.#criteria;
    let key = -1;
    if (criteria.length <= MAX_TRACED_CRITERIA) {
      key = 0;
      for (let i = criteria.length - 1; i >= 0; i--) key = key * 3 + outcomes[criteria[i]!.slot]!;
      const cached = this.#traces.get(key);
      if (cached !== undefined) return cached;
    }
    const trace: PolicyOperatorTrace = Object.freeze({
      rule: this.#rule,
      action: this.#action,
      operator: this.#operator,
      path: this.#path,
      matched,
      criteria: Object.freeze(criteria.map((c) => c.traces[outcomes[c.slot] as Outcome])),
    });
    const entry = { trace, alone: Object.freeze([trace]) };
    if (key !== -1 && this.#traces.size < MAX_CACHED_TRACES) this.#traces.set(key, entry);
    return entry;
  }
}

const NO_TRACES: readonly PolicyOperatorTrace[] = Object.freeze([]);
const ERROR_DECISION: PolicyDecision = Object.freeze({
  allowed: false,
  reasons: reasonsOf(reasonBit('policy-error')),
  decidedBy: NO_TRACES,
});

/** One evaluation's working memory: each criterion's outcome, each operator's result. */
interface Scratch {
  readonly outcomes: Uint8Array;
  readonly results: Int32Array;
}

class Policy implements CompiledPolicy {
  readonly name?: string;
  readonly reads: PolicyReads;
  readonly #allow: readonly Operator[];
  readonly #deny: readonly Operator[];
  readonly #slots: number;
  readonly #scratch: Scratch;
  #busy = false;

  constructor(
    name: string | undefined,
    allow: readonly Operator[],
    deny: readonly Operator[],
    slots: number,
    reads: PolicyReads,
  ) {
    if (name !== undefined) this.name = name;
    this.#allow = allow;
    this.#deny = deny;
    this.#slots = slots;
    this.#scratch = this.#newScratch();
    this.reads = reads;
  }

  #newScratch(): Scratch {
    return {
      outcomes: new Uint8Array(this.#slots),
      results: new Int32Array(this.#allow.length + this.#deny.length),
    };
  }

  evaluate(input: PolicyInput): PolicyDecision {
    // The scratch is reused across evaluations; a getter of the input that evaluated this
    // policy again from inside would find it taken and get its own.
    const reentered = this.#busy;
    const scratch = reentered ? this.#newScratch() : this.#scratch;
    this.#busy = true;
    try {
      const source: PolicyInput = input ?? { method: '', path: '' };
      const ctx = new EvaluationContext(source);
      if (!this.reads.path) return this.#decide(ctx, scratch);
      const path = source.path;
      const raw = pathWithoutQuery(typeof path === 'string' ? path : '');
      const canonical = canonicalPath(raw);
      ctx.path = canonical;
      const first = this.#decide(ctx, scratch);
      if (canonical === raw || !first.allowed) return first;
      ctx.path = raw;
      const second = this.#decide(ctx, scratch);
      return second.allowed ? first : second;
    } catch {
      return ERROR_DECISION;
    } finally {
      if (!reentered) this.#busy = false;
    }
  }

  #decide(ctx: EvaluationContext, scratch: Scratch): PolicyDecision {
    const deny = this.#side(this.#deny, ctx, scratch);
    if (deny & MATCHED) return this.#decision(false, deny, this.#deny, scratch, true);
    const allow = this.#side(this.#allow, ctx, scratch);
    const allowed = (allow & MATCHED) !== 0;
    return this.#decision(allowed, allow, this.#allow, scratch, allowed);
  }

  /** The OR of a side's operators (Pomerium evaluates them all, for their reasons). */
  #side(operators: readonly Operator[], ctx: EvaluationContext, scratch: Scratch): number {
    let matchedBits = 0;
    let allBits = 0;
    let matched = false;
    for (const operator of operators) {
      const result = operator.run(ctx, scratch.outcomes);
      scratch.results[operator.index] = result;
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
   * (none held). One deciding operator, the usual case, costs no new array.
   */
  #decision(
    allowed: boolean,
    side: number,
    operators: readonly Operator[],
    scratch: Scratch,
    onlyMatched: boolean,
  ): PolicyDecision {
    const { outcomes, results } = scratch;
    let count = 0;
    let first: Operator | undefined;
    for (const operator of operators) {
      if (onlyMatched && !(results[operator.index]! & MATCHED)) continue;
      count++;
      first ??= operator;
    }
    let decidedBy = NO_TRACES;
    if (count === 1) {
      decidedBy = first!.trace(outcomes, (results[first!.index]! & MATCHED) !== 0).alone;
    } else if (count > 1) {
      const traces: PolicyOperatorTrace[] = [];
      for (const operator of operators) {
        const matched = (results[operator.index]! & MATCHED) !== 0;
        if (onlyMatched && !matched) continue;
        traces.push(operator.trace(outcomes, matched).trace);
      }
      decidedBy = Object.freeze(traces);
    }
    return { allowed, reasons: reasonsOf(side & REASONS), decidedBy };
  }
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
  let slots = 0;
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
          return {
            slot: slots++,
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
  return new Policy(name, allow, deny, slots, Object.freeze(reads));
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
