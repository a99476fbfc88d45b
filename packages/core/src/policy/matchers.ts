/**
 * PPL's string and list matchers (Pomerium's `criteria/matchers.go`), compiled to plain
 * functions once, when the policy is compiled.
 */
import {
  closestName,
  describe,
  isPlainObject,
  policyError,
  stringAt,
  stringListAt,
  wrongType,
} from './document-values.js';

/** A compiled string matcher. */
export type StringTest = (value: string) => boolean;

const STRING_OPERATORS = ['is', 'not', 'starts_with', 'ends_with', 'contains', 'in', 'not_in'];

/**
 * Compiles a string matcher: a bare string means `is`; an object's keys must all hold.
 *
 * Pomerium also takes numbers, booleans and lists here and compares them with `==`, so they
 * never match a string (`user: 12345` never matches the id `"12345"`); they are refused instead.
 * An empty object, which Pomerium takes as "no condition", is refused too.
 */
export function compileStringMatcher(data: unknown, path: string): StringTest {
  if (typeof data === 'string') return (value) => value === data;
  if (Array.isArray(data))
    return policyError(
      path,
      `a list is not a string matcher; to match any of them write { in: [...] }`,
    );
  if (!isPlainObject(data))
    return wrongType(
      data,
      path,
      'a string or a matcher object ({ is, not, starts_with, ends_with, contains, in, not_in })',
    );
  const keys = Object.keys(data);
  if (keys.length === 0) return policyError(path, 'a matcher object needs at least one operator');
  const tests = keys.map((key) => stringOperator(key, data[key], `${path}.${key}`));
  return allOf(tests);
}

function stringOperator(key: string, operand: unknown, path: string): StringTest {
  switch (key) {
    case 'is': {
      const s = stringAt(operand, path);
      return (value) => value === s;
    }
    case 'not': {
      const s = stringAt(operand, path);
      return (value) => value !== s;
    }
    case 'starts_with': {
      const s = stringAt(operand, path);
      return (value) => value.startsWith(s);
    }
    case 'ends_with': {
      const s = stringAt(operand, path);
      return (value) => value.endsWith(s);
    }
    case 'contains': {
      const s = stringAt(operand, path);
      return (value) => value.includes(s);
    }
    case 'in': {
      const member = membership(operand, path, key);
      return (value) => member(value);
    }
    case 'not_in': {
      const member = membership(operand, path, key);
      return (value) => !member(value);
    }
    default:
      return unknownOperator(key, STRING_OPERATORS, path, 'string');
  }
}

function membership(operand: unknown, path: string, key: string): StringTest {
  if (!Array.isArray(operand))
    return policyError(path, `${key} needs a list of strings, got ${describe(operand)}`);
  const values = stringListAt(operand, path);
  if (values.length > 8) {
    const set = new Set(values);
    return (value) => set.has(value);
  }
  return (value) => values.includes(value);
}

function allOf<T>(tests: ((value: T) => boolean)[]): (value: T) => boolean {
  if (tests.length === 1) return tests[0]!;
  if (tests.length === 2) {
    const [a, b] = tests as [(value: T) => boolean, (value: T) => boolean];
    return (value) => a(value) && b(value);
  }
  return (value) => {
    for (const test of tests) if (!test(value)) return false;
    return true;
  };
}

function unknownOperator(key: string, known: readonly string[], path: string, kind: string): never {
  const suggestion = closestName(key, known);
  return policyError(
    path,
    `unknown ${kind} matcher operator "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; ` +
      `known: ${known.join(', ')}`,
  );
}

/**
 * The values a list matcher looks at: a list, or one value standing for a list of one (a claim
 * holding a single string), or {@link NO_VALUES}. Taking one value as it is spares building a
 * one-element array on every evaluation.
 */
export type ListValues = unknown;

/** No values at all: an absent claim. */
export const NO_VALUES: unique symbol = Symbol('no values');

/** A compiled list matcher. */
export type ListTest = (values: ListValues) => boolean;

/** What the elements of a list matcher may be compared with. */
export type ListElementKind = 'string' | 'scalar';

const LIST_OPERATORS = ['has', 'is', 'exclude'];

/**
 * Compiles a list matcher: a bare value means `has`; an object's keys must all hold. Elements
 * compare with `===`, as Rego's `==` compares JSON values: a number matches the same number,
 * never its string (`claim/level: 3` matches the claim `3`, not `"3"`).
 *
 * `kind: 'string'` (groups) takes strings only; `'scalar'` (claims) strings, numbers and
 * booleans. Lists and objects never equal an element in Pomerium (`groups: [a, b]` is `has:
 * [a, b]`, which no group equals), so they are refused.
 */
export function compileListMatcher(data: unknown, path: string, kind: ListElementKind): ListTest {
  if (!isPlainObject(data)) {
    const value = listOperand(data, path, kind);
    return (values) => has(values, value);
  }
  const keys = Object.keys(data);
  if (keys.length === 0) return policyError(path, 'a matcher object needs at least one operator');
  const tests = keys.map((key): ListTest => {
    const operandPath = `${path}.${key}`;
    switch (key) {
      case 'has': {
        const value = listOperand(data[key], operandPath, kind);
        return (values) => has(values, value);
      }
      case 'is': {
        const value = listOperand(data[key], operandPath, kind);
        return (values) => count(values) === 1 && has(values, value);
      }
      case 'exclude': {
        const value = listOperand(data[key], operandPath, kind);
        return (values) => !has(values, value);
      }
      default:
        return unknownOperator(key, LIST_OPERATORS, operandPath, 'list');
    }
  });
  return allOf(tests);
}

function listOperand(
  data: unknown,
  path: string,
  kind: ListElementKind,
): string | number | boolean {
  if (typeof data === 'string') return data;
  if (
    kind === 'scalar' &&
    ((typeof data === 'number' && Number.isFinite(data)) || typeof data === 'boolean')
  )
    return data;
  if (Array.isArray(data))
    return policyError(
      path,
      'a list never equals one value; to accept any of several, write one criterion per value under or',
    );
  return wrongType(
    data,
    path,
    kind === 'string'
      ? 'a string or a matcher object ({ has, is, exclude })'
      : 'a string, a number, a boolean or a matcher object ({ has, is, exclude })',
  );
}

function has(values: ListValues, value: string | number | boolean): boolean {
  if (Array.isArray(values)) {
    for (let i = 0; i < values.length; i++) if (values[i] === value) return true;
    return false;
  }
  return values === value;
}

function count(values: ListValues): number {
  if (Array.isArray(values)) return values.length;
  return values === NO_VALUES ? 0 : 1;
}
