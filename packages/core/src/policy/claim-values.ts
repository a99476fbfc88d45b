/**
 * The values `claim/<name>` compares, as Pomerium sees a user's claims: it flattens them
 * (`identity.Claims.Flatten`) into one level before storing them, so that
 *
 * - a list claim is its list of values, any other value a list of one;
 * - a nested object is not a value: its members are reached with dots
 *   (`{ "address": { "country": "NL" } }` gives `address.country: ["NL"]`, and `address` alone
 *   gives nothing);
 * - values keep their JSON type: `3` and `"3"` are different values.
 *
 * The lookup follows that flattening without building it on every request.
 */
import { NO_VALUES, type ListValues } from './matchers.js';

function isObjectValue(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The values of claim `name` in `claims`: a list, one value, or {@link NO_VALUES}. Never throws
 * for odd values; a claims object that throws from a getter does (the evaluator catches it).
 */
export function claimValues(claims: unknown, name: string): ListValues {
  if (!isObjectValue(claims)) return NO_VALUES;
  if (Object.hasOwn(claims, name)) {
    const value = claims[name];
    if (!isObjectValue(value)) return value === undefined ? NO_VALUES : value;
  }
  // `a.b.c` is also `a` → `b.c`, `a.b` → `c`: the flattened key of a nested member.
  for (let dot = name.indexOf('.'); dot !== -1; dot = name.indexOf('.', dot + 1)) {
    const head = name.slice(0, dot);
    if (!Object.hasOwn(claims, head)) continue;
    const nested = claims[head];
    if (!isObjectValue(nested)) continue;
    const found = claimValues(nested, name.slice(dot + 1));
    if (found !== NO_VALUES) return found;
  }
  return NO_VALUES;
}
