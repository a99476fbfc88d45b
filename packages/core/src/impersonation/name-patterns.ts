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
 * Folds the case of an email's ASCII letters only. Unicode case folding would let `ſ` match `s`
 * and the Kelvin sign match `k`: a pattern must not admit look-alikes of the names it grants.
 */
export function foldEmailCase(email: string): string {
  return email.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
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
  if (typeof source !== 'string' || source.length === 0)
    throw new PomeriumAuthConfigError(option, 'must be a non-empty string');
  const regexBody = REGEX.exec(source)?.[1];
  if (regexBody !== undefined) {
    let regex: RegExp;
    try {
      regex = new RegExp(`^(?:${regexBody})$`, 'u');
    } catch (err) {
      throw new PomeriumAuthConfigError(
        option,
        `is not a valid regular expression (${(err as Error).message})`,
      );
    }
    // Emails are matched in lower case (ASCII): write email regexes in lower case.
    return { source, matches: (name) => regex.test(isEmail(name) ? foldEmailCase(name) : name) };
  }
  if (source.includes('*') || source.includes('?')) {
    const toRegex = (text: string) =>
      new RegExp(
        `^${[...text].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('')}$`,
        'su',
      );
    const exact = toRegex(source);
    const folded = toRegex(foldEmailCase(source));
    return {
      source,
      matches: (name) => (isEmail(name) ? folded.test(foldEmailCase(name)) : exact.test(name)),
    };
  }
  const folded = foldEmailCase(source);
  return {
    source,
    matches: (name) => (isEmail(name) ? foldEmailCase(name) === folded : name === source),
  };
}

/** Lower-cased NFKC form: used to make `protect` fail closed on case and compatibility variants. */
export function foldName(name: string): string {
  return name.normalize('NFKC').toLowerCase();
}
