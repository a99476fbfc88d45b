const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Where the escape starting at `i` (a backslash, outside a class) ends. */
function escapeEnd(body: string, i: number): number {
  const next = body[i + 1];
  if ((next === 'p' || next === 'P' || next === 'u') && body[i + 2] === '{')
    return body.indexOf('}', i) + 1;
  if (next === 'u') return i + 6;
  if (next === 'x') return i + 4;
  if (next === 'c') return i + 3;
  if (next === 'k') return body.indexOf('>', i) + 1;
  if (next !== undefined && next >= '1' && next <= '9') {
    let end = i + 2;
    while (body[end] !== undefined && body[end]! >= '0' && body[end]! <= '9') end++;
    return end;
  }
  return i + 1 + String.fromCodePoint(body.codePointAt(i + 1) ?? 0).length;
}

/**
 * True for an escape that matches one character (`\d`, `\p{Lu}`, `\x41`, `\.`), not an
 * assertion or a backreference.
 */
function isCharacterEscape(escape: string): boolean {
  return !/^\\(?:[bB]|[1-9]|k<)/.test(escape);
}

/** Where the class starting at `i` (`[`) ends: in `u` mode its first unescaped `]`. */
function classEnd(body: string, i: number): number {
  let j = i + 1;
  if (body[j] === '^') j++;
  while (j < body.length && body[j] !== ']') j += body[j] === '\\' ? 2 : 1;
  return j + 1;
}

/** Where the group opener starting at `i` (`(`) ends: `(`, `(?:`, `(?=`, `(?<=`, `(?<name>`, ... */
function groupOpenerEnd(body: string, i: number): number {
  if (body[i + 1] !== '?') return i + 1;
  const kind = body[i + 2];
  if (kind === ':' || kind === '=' || kind === '!') return i + 3;
  if (kind === '<') {
    return body[i + 3] === '=' || body[i + 3] === '!' ? i + 4 : body.indexOf('>', i) + 1;
  }
  // Modifiers, where the engine knows them: (?i:, (?-i:, ...
  return body.indexOf(':', i) + 1;
}

/**
 * The lower-case ASCII letters a character set (`[...]`, an escape, a literal) leaves out although
 * it holds their upper-case ones.
 */
function lowerLettersMissing(set: string): string {
  let regex: RegExp;
  try {
    regex = new RegExp(`^(?:${set})$`, 'u');
  } catch {
    // Not a set on its own (never, in a body valid in `u` mode): left as written.
    return '';
  }
  let missing = '';
  for (const upper of UPPER) {
    const lower = upper.toLowerCase();
    if (regex.test(upper) && !regex.test(lower)) missing += lower;
  }
  return missing;
}

/** A character set that also holds the lower case of every upper-case ASCII letter it holds. */
function withLowerCase(set: string): string {
  const missing = lowerLettersMissing(set);
  return missing ? `(?:${set}|[${missing}])` : set;
}

/** A class, positive or negated, as {@link asciiCaseInsensitiveBody} rewrites it. */
function foldedClass(cls: string): string {
  if (cls[1] !== '^') return withLowerCase(cls);
  // [^S] must refuse the lower case of every upper-case letter in S too.
  const missing = lowerLettersMissing(`[${cls.slice(2)}`);
  return missing ? `(?:(?![${missing}])${cls})` : cls;
}

/**
 * Rewrites the body of a `u`-mode regular expression so that, tested against text whose ASCII
 * letters were folded to lower case (`foldAsciiCase`), it matches where the original would with
 * ASCII letters compared case-insensitively, and nowhere else: every character set (a literal,
 * an escape such as `\x42` or `\p{Lu}`, a class) that holds an upper-case ASCII letter holds its
 * lower case too, and a negated class that refuses one refuses both. Backreferences compare the
 * folded text, so they ignore ASCII case as well. Unlike the `i` flag, nothing beyond ASCII folds
 * (`ſ` is not `s`, the Kelvin sign is not `k`), as `foldAsciiCase` has it. The body must be valid
 * in `u` mode, whose strict syntax this reads.
 *
 * @example
 * ```ts
 * const body = asciiCaseInsensitiveBody('Bob@corp\\.com'); // '[Bb]ob@corp\\.com'
 * new RegExp(`^(?:${body})$`, 'u').test(foldAsciiCase('BOB@Corp.com')); // true
 * ```
 */
export function asciiCaseInsensitiveBody(body: string): string {
  let out = '';
  let i = 0;
  while (i < body.length) {
    const c = body[i]!;
    let end: number;
    if (c === '[') {
      end = classEnd(body, i);
      out += foldedClass(body.slice(i, end));
    } else if (c === '\\') {
      end = escapeEnd(body, i);
      const escape = body.slice(i, end);
      out += isCharacterEscape(escape) ? withLowerCase(escape) : escape;
    } else if (c === '(') {
      end = groupOpenerEnd(body, i);
      out += body.slice(i, end);
    } else if (c === '{') {
      end = body.indexOf('}', i) + 1;
      out += body.slice(i, end);
    } else if ('|)^$*+?.'.includes(c)) {
      end = i + 1;
      out += c;
    } else {
      const literal = String.fromCodePoint(body.codePointAt(i)!);
      end = i + literal.length;
      out += c >= 'A' && c <= 'Z' ? `[${c}${c.toLowerCase()}]` : literal;
    }
    // Never stand still, whatever the body holds.
    i = Math.max(end, i + 1);
  }
  return out;
}
