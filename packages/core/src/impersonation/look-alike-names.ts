import { ImpersonationDeniedError } from '../errors.js';

/**
 * Control characters (NUL included), format characters (zero-width joiners, bidi overrides),
 * unassigned code points, lone surrogates: none belongs in a user name, and each can make a name
 * look like another.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cn}\p{Cs}\p{Zl}\p{Zp}]/u;

/** The metacharacters of grant patterns: a target name holding them is a pattern, not a name. */
const PATTERN_SYNTAX = /[*?]|^\/.*\/$/s;

/**
 * Refuses an impersonation target (or a group asked for) that no real name looks like: one with
 * control or format characters, or with the glob and regex syntax of grant patterns (`*` would
 * otherwise be taken as a user literally named `*`). Refused as `impersonation_denied`, reason
 * `invalid_target`, like every other refusal.
 *
 * @example
 * ```ts
 * checkTargetName('user_1');      // passes
 * checkTargetName('ro\u200bot');  // throws: a zero-width space
 * ```
 */
export function checkTargetName(name: string, what = 'target'): void {
  if (INVISIBLE.test(name)) {
    throw new ImpersonationDeniedError(
      'invalid_target',
      `${what} has control or format characters`,
    );
  }
  if (PATTERN_SYNTAX.test(name)) {
    throw new ImpersonationDeniedError(
      'invalid_target',
      `${what} ${JSON.stringify(name)} is pattern syntax`,
    );
  }
}

/**
 * Characters that look like ASCII letters and digits, mapped to what they look like (a small part
 * of Unicode's confusables, TR39: the Cyrillic, Greek and Latin look-alikes of ASCII names).
 * Digits fold to the letters they resemble, so `r00t` looks like `root`: this folding only ever
 * makes `protect` refuse more.
 */
const CONFUSABLES: Readonly<Record<string, string>> = Object.freeze({
  // Cyrillic
  а: 'a',
  в: 'b',
  с: 'c',
  ԁ: 'd',
  е: 'e',
  ё: 'e',
  һ: 'h',
  і: 'i',
  ї: 'i',
  ј: 'j',
  к: 'k',
  ӏ: 'l',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  ԛ: 'q',
  г: 'r',
  ѕ: 's',
  т: 't',
  у: 'y',
  ў: 'y',
  х: 'x',
  ԝ: 'w',
  ү: 'y',
  ь: 'b',
  ʏ: 'y',
  // Greek
  α: 'a',
  β: 'b',
  ε: 'e',
  η: 'n',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ω: 'w',
  ϲ: 'c',
  ϳ: 'j',
  // Latin and others
  ı: 'i',
  ȷ: 'j',
  ℓ: 'l',
  ǀ: 'l',
  ɡ: 'g',
  ɑ: 'a',
  ɩ: 'i',
  ʟ: 'l',
  ᴅ: 'd',
  ꓲ: 'l',
  '0': 'o',
  '1': 'l',
});

/** Combining marks, dropped when folding: `rӧot` and `root` look alike enough to protect. */
const MARKS = /\p{M}/gu;

/**
 * A name reduced to what it looks like: NFKC, combining marks dropped, lower case, and
 * look-alike characters mapped to the ASCII they resemble. `protect` compares names this way, so
 * that it fails closed on case, compatibility forms and confusables (`rооt` with Cyrillic `о`,
 * `ＲＯＯＴ`, `r00t`).
 *
 * @example
 * ```ts
 * foldLookalikes('Rооt'); // 'root' (Cyrillic о)
 * ```
 */
export function foldLookalikes(name: string): string {
  let out = '';
  for (const char of name.normalize('NFKD').replace(MARKS, '').normalize('NFKC').toLowerCase()) {
    out += CONFUSABLES[char] ?? char;
  }
  return out;
}
