import { PomeriumAuthConfigError } from '../errors.js';

/**
 * Refuses any key of an options object that is not one of `known`: a misspelt key
 * (`readonly` for `readOnly`) would otherwise drop what it meant to say without a word. The
 * error names the key under `prefix` (`impersonation.readonly`), or alone at the top level.
 *
 * @param what - what the keys are, for the message: `is not a known ${what}`.
 * @throws {PomeriumAuthConfigError} naming the first unknown key.
 *
 * @example
 * ```ts
 * refuseUnknownKeys(options.cache, new Set(['max', 'maxAge']), 'cache');
 * ```
 */
export function refuseUnknownKeys(
  value: object,
  known: ReadonlySet<string>,
  prefix?: string,
  what = 'option',
): void {
  for (const key of Object.keys(value)) {
    if (!known.has(key))
      throw new PomeriumAuthConfigError(
        prefix === undefined ? key : `${prefix}.${key}`,
        `is not a known ${what}`,
      );
  }
}
