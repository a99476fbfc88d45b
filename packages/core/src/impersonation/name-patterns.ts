import { PomeriumAuthConfigError } from '../errors.js';
import { asciiCaseInsensitiveBody } from '../lib/ascii-case-insensitive-regex.js';
import { foldAsciiCase } from '../lib/fold-ascii-case.js';

/** A compiled name pattern: exact, glob (`*`, `?`) or `/regex/`, always matching the whole name. */
export interface NamePattern {
  readonly source: string;
  /** True when the pattern matches the name. Emails (names with `@`) compare case-insensitively. */
  matches(name: string): boolean;
}

const REGEX = /^\/(.+)\/$/s;

/** True when a pattern is written `/regex/`. */
export function isRegexPattern(source: string): boolean {
  return REGEX.test(source);
}

function isEmail(name: string): boolean {
  return name.includes('@');
}

/**
 * Compiles a target pattern as Search Guard reads them: an exact name, a glob with `*` and `?`,
 * or `/regex/` that must match the whole name (it is anchored for you). Emails compare
 * case-insensitively (their ASCII letters, in all three kinds), ids exactly.
 *
 * @example
 * ```ts
 * compileNamePattern('user_*', 'grants[0].targets[0]').matches('user_42'); // true
 * compileNamePattern('/svc-[a-z]+/', 'x').matches('svc-a1');              // false: whole name
 * compileNamePattern('/Bob@corp\\.com/', 'x').matches('bob@CORP.com');    // true: an email
 * ```
 */
export function compileNamePattern(source: string, option: string): NamePattern {
  if (typeof source !== 'string' || source.length === 0)
    throw new PomeriumAuthConfigError(option, 'must be a non-empty string');
  const regexBody = REGEX.exec(source)?.[1];
  if (regexBody !== undefined) {
    let regex: RegExp;
    let folded: RegExp;
    try {
      // The body alone first: a `)` it does not open would close the anchoring group around it
      // (`/x)|(.*/` would match any name).
      new RegExp(regexBody, 'u');
      regex = new RegExp(`^(?:${regexBody})$`, 'u');
    } catch (err) {
      throw new PomeriumAuthConfigError(
        option,
        `is not a valid regular expression (${(err as Error).message})`,
      );
    }
    try {
      // Emails are tested in lower case (ASCII) against the regex with its letters in both cases.
      folded = new RegExp(`^(?:${asciiCaseInsensitiveBody(regexBody)})$`, 'u');
    } catch {
      throw new PomeriumAuthConfigError(option, 'cannot be matched case-insensitively to emails');
    }
    return {
      source,
      matches: (name) => (isEmail(name) ? folded.test(foldAsciiCase(name)) : regex.test(name)),
    };
  }
  if (source.includes('*') || source.includes('?')) {
    const toRegex = (text: string) =>
      new RegExp(
        `^${[...text].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('')}$`,
        'su',
      );
    const exact = toRegex(source);
    const folded = toRegex(foldAsciiCase(source));
    return {
      source,
      matches: (name) => (isEmail(name) ? folded.test(foldAsciiCase(name)) : exact.test(name)),
    };
  }
  const folded = foldAsciiCase(source);
  return {
    source,
    matches: (name) => (isEmail(name) ? foldAsciiCase(name) === folded : name === source),
  };
}
