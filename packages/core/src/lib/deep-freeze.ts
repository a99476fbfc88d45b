/**
 * Freezes a JSON value and everything inside it, so that verified claims handed to a request
 * (and kept in the verified-token cache for later requests) cannot be changed by anyone:
 * `Object.freeze` alone leaves nested arrays and objects (`groups`, `act`) writable.
 * Values from `JSON.parse` hold no cycles; a depth bound keeps a hostile caller's value from
 * recursing without end.
 *
 * @example
 * ```ts
 * const claims = deepFreeze(JSON.parse(payload));
 * Object.isFrozen((claims as { groups: string[] }).groups); // true
 * ```
 */
export function deepFreeze<T>(value: T, depth = 0): T {
  if (typeof value !== 'object' || value === null || depth > 64) return value;
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (const item of value) deepFreeze(item, depth + 1);
  } else {
    for (const key in value) deepFreeze((value as Record<string, unknown>)[key], depth + 1);
  }
  return value;
}
