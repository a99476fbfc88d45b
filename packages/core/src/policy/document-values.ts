/**
 * Reading the untyped values of a policy document (from YAML, JSON or JavaScript) and saying
 * precisely what is wrong with them.
 */
import { PomeriumAuthConfigError } from '../errors.js';

/** Throws the configuration error for the document part at `path`. */
export function policyError(path: string, message: string): never {
  throw new PomeriumAuthConfigError(path, message);
}

/**
 * An object as YAML or JSON make them: a plain object or one without a prototype. Arrays, dates,
 * maps and class instances are not.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** How a value reads in an error message: its type, and the value itself when it is short. */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return value.length <= 40 ? `the string ${JSON.stringify(value)}` : 'a string';
    case 'number':
    case 'boolean':
      return `the ${typeof value} ${String(value)}`;
    case 'object':
      return isPlainObject(value)
        ? 'an object'
        : `a ${(value as { constructor?: { name?: string } }).constructor?.name ?? 'object'}`;
    default:
      return `a ${typeof value}`;
  }
}

/** The value at `path` as a string, or the error that says it must be one. */
export function stringAt(value: unknown, path: string, what = 'a string'): string {
  return typeof value === 'string' ? value : wrongType(value, path, what);
}

/**
 * Throws the error for a value that is not `what`. A number or boolean where a string belongs is
 * usually YAML reading `12345` or `yes` unquoted, so the message says how to quote it.
 */
export function wrongType(value: unknown, path: string, what: string): never {
  const hint =
    typeof value === 'number' || typeof value === 'boolean'
      ? ` (in YAML, quote it: '${String(value)}')`
      : '';
  return policyError(path, `must be ${what}, got ${describe(value)}${hint}`);
}

/** The value at `path` as a list of strings. */
export function stringListAt(value: unknown, path: string): string[] {
  if (!Array.isArray(value))
    return policyError(path, `must be a list of strings, got ${describe(value)}`);
  return value.map((item, i) => stringAt(item, `${path}[${i}]`));
}

/**
 * The closest of `names` to `name` (at most two edits away), to suggest in an error message.
 */
export function closestName(name: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of names) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}
