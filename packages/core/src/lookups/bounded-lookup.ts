import { TemporarilyUnavailableError } from '../errors.js';
import type { Lookup } from '../options.js';

/** Milliseconds a lookup may take unless `lookupTimeout` says otherwise. */
export const DEFAULT_LOOKUP_TIMEOUT = 5000;

/** A value, or the promise of one when something had to be awaited. */
export type Maybe<T> = T | Promise<T>;

/**
 * Runs an application-supplied lookup (`serviceAccounts`, `directory`, `namespaces`, the
 * `isRevoked` hook) within `timeoutMs`. A lookup that answers synchronously (a records source
 * answers from memory) is answered synchronously: the hot path stays free of promises. A throw,
 * a rejection or a lookup still pending after `timeoutMs` is a 503 `temporarily_unavailable`
 * (`lookup_failed` / `lookup_timeout`), never a pass and never a hang.
 *
 * @example
 * ```ts
 * const record = await boundedLookup(options.serviceAccounts, 'sa-1', 'service account', 5000);
 * ```
 */
export function boundedLookup<T>(
  fn: Lookup<T>,
  key: string,
  what: string,
  timeoutMs: number,
): Maybe<T | null | undefined> {
  return boundedCall(() => fn(key), `${what} lookup`, timeoutMs);
}

/**
 * {@link boundedLookup} for any application hook: `call` runs at once; its synchronous answer is
 * returned as it is, its promise is bounded by `timeoutMs`. `what` names it in the detail.
 */
export function boundedCall<T>(
  call: () => T | PromiseLike<T>,
  what: string,
  timeoutMs: number,
): Maybe<T> {
  let result: T | PromiseLike<T>;
  try {
    result = call();
  } catch (err) {
    throw failed(what, err);
  }
  if (!isThenable(result)) return result;
  const pending = result;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new TemporarilyUnavailableError(
            'lookup_timeout',
            `${what} did not answer within ${timeoutMs} ms`,
          ),
        ),
      timeoutMs,
    );
    Promise.resolve(pending).then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(failed(what, err));
      },
    );
  });
}

function failed(what: string, err: unknown): TemporarilyUnavailableError {
  return new TemporarilyUnavailableError(
    'lookup_failed',
    `${what} failed: ${err instanceof Error ? err.message : String(err)}`,
    err,
  );
}

/** True for promises and anything else with a `then` method (a lookup may return either). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Applies `next` to a value that may still be a promise, staying synchronous when it is not:
 * the decision's steps chain through this so that a request that awaits nothing is decided in
 * the same turn.
 */
export function andThen<T, U>(value: Maybe<T>, next: (value: T) => Maybe<U>): Maybe<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}
