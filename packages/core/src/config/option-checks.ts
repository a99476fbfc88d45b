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

/**
 * An optional boolean option: `undefined` when absent; anything but a boolean (`'true'`, `1`) is
 * refused, never read as truthy or falsy.
 *
 * @throws {PomeriumAuthConfigError} naming `option`, for a value that is not a boolean.
 *
 * @example
 * ```ts
 * const requireReason = optionalBoolean(options.requireReason, 'impersonation.requireReason') ?? false;
 * ```
 */
export function optionalBoolean(value: unknown, option: string): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean')
    throw new PomeriumAuthConfigError(option, 'must be a boolean');
  return value;
}

/** setTimeout's longest delay: a longer one fires at once (Node warns), so it would time everything out. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Refuses a delay in milliseconds that a timer cannot hold: Node fires a longer one at once, so
 * a timeout that long would abandon everything it bounds as it starts.
 *
 * @throws {PomeriumAuthConfigError} naming `option`, for a delay above {@link MAX_TIMER_MS}.
 *
 * @example
 * ```ts
 * const timeout = timerDelay(options.timeout ?? 10_000, 'timeout');
 * ```
 */
export function timerDelay(ms: number, option: string): number {
  if (ms > MAX_TIMER_MS)
    throw new PomeriumAuthConfigError(option, `must be at most ${MAX_TIMER_MS} ms (about 24 days)`);
  return ms;
}
