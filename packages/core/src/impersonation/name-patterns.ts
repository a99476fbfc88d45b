import { PomeriumAuthConfigError } from '../errors.js';

/** A compiled name pattern: exact, glob (`*`, `?`) or `/regex/`, always matching the whole name. */
export interface NamePattern {
  readonly source: string;
  /** True when the pattern matches the name. Emails (names with `@`) compare case-insensitively. */
  matches(name: string): boolean;
}

const REGEX = /^\/(.+)\/$/s;

function isEmail(name: string): boolean {
  return name.includes('@');
}

/**
 * Compiles a target pattern as Search Guard reads them: an exact name, a glob with `*` and `?`,
 * or `/regex/` that must match the whole name (it is anchored for you). Emails compare
 * case-insensitively, ids exactly.
 *
 * @example
 * ```ts
 * compileNamePattern('user_*', 'grants[0].targets[0]').matches('user_42'); // true
 * compileNamePattern('/svc-[a-z]+/', 'x').matches('svc-a1');              // false: whole name
 * ```
 */
export function compileNamePattern(source: string, option: string): NamePattern {
  if (typeof source !== 'string' || source.length === 0) throw new PomeriumAuthConfigError(option, 'must be a non-empty string');
  const regexBody = REGEX.exec(source)?.[1];
  if (regexBody !== undefined) {
    let exact: RegExp;
    let caseless: RegExp;
    try {
      exact = new RegExp(`^(?:${regexBody})$`, 'u');
      caseless = new RegExp(`^(?:${regexBody})$`, 'iu');
    } catch (err) {
      throw new PomeriumAuthConfigError(option, `is not a valid regular expression (${(err as Error).message})`);
    }
    return { source, matches: (name) => (isEmail(name) ? caseless : exact).test(name) };
  }
  if (source.includes('*') || source.includes('?')) {
    const body = [...source].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('');
    const exact = new RegExp(`^${body}$`, 'su');
    const caseless = new RegExp(`^${body}$`, 'siu');
    return { source, matches: (name) => (isEmail(name) ? caseless : exact).test(name) };
  }
  const lower = source.toLowerCase();
  return { source, matches: (name) => (isEmail(name) ? name.toLowerCase() === lower : name === source) };
}

/** Lower-cased NFKC form: used to make `protect` fail closed on case and compatibility variants. */
export function foldName(name: string): string {
  return name.normalize('NFKC').toLowerCase();
}
