/**
 * Lower-cases the ASCII letters A to Z and nothing else. Emails and host names compare this way:
 * Unicode case mapping would let look-alikes of the names a rule admits through (`ſ` folds to
 * `s`, the Kelvin sign U+212A to `k`).
 *
 * @example
 * ```ts
 * foldAsciiCase('Alice@Example.COM'); // 'alice@example.com'
 * foldAsciiCase('\u212Aelvin');       // unchanged: the Kelvin sign is not an ASCII letter
 * ```
 */
export function foldAsciiCase(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}
