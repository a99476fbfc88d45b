import { InvalidTokenError } from '../errors.js';
import { foldAsciiCase } from '../lib/fold-ascii-case.js';

/** The time rules a token is checked against (built once, at construction). */
export interface TimeRules {
  clockTolerance: number;
  maxTokenAge?: number;
}

function numericDate(payload: Record<string, unknown>, name: string): number | undefined {
  const value = payload[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new InvalidTokenError('invalid_claim', `"${name}" is not a number`);
  return value;
}

/**
 * Checks `exp`, `nbf`, `iat` and the token's age at `now` (seconds). Returns `exp` when present.
 *
 * @example
 * ```ts
 * checkTokenTimes(payload, { clockTolerance: 5 }, Date.now() / 1000, true);
 * ```
 */
export function checkTokenTimes(
  payload: Record<string, unknown>,
  rules: TimeRules,
  now: number,
  requireExp: boolean,
): number | undefined {
  const { clockTolerance } = rules;
  const exp = numericDate(payload, 'exp');
  const nbf = numericDate(payload, 'nbf');
  const iat = numericDate(payload, 'iat');
  if (exp === undefined) {
    if (requireExp) throw new InvalidTokenError('missing_claim', '"exp" is required');
  } else if (exp <= now - clockTolerance) {
    throw new InvalidTokenError('token_expired', `expired at ${exp}`);
  }
  if (nbf !== undefined && nbf > now + clockTolerance)
    throw new InvalidTokenError('token_not_yet_valid', `not before ${nbf}`);
  if (iat !== undefined && iat > now + clockTolerance)
    throw new InvalidTokenError('issued_in_future', `issued at ${iat}`);
  if (rules.maxTokenAge !== undefined) {
    if (iat === undefined)
      throw new InvalidTokenError('missing_claim', '"iat" is required with maxTokenAge');
    if (now > tooOldAfter(payload, rules)!)
      throw new InvalidTokenError('token_too_old', `issued at ${iat}`);
  }
  return exp;
}

/**
 * With `maxTokenAge`, the moment (seconds) after which {@link checkTokenTimes} refuses the token
 * as too old: `iat` + `maxTokenAge` + `clockTolerance`. A verification kept for later (the
 * verified-token cache) must end by then. `undefined` without `maxTokenAge`, or without a
 * numeric `iat` (which `checkTokenTimes` refuses then).
 *
 * @example
 * ```ts
 * tooOldAfter({ iat: 1_700_000_000 }, { clockTolerance: 5, maxTokenAge: 60 }); // 1_700_000_065
 * ```
 */
export function tooOldAfter(
  payload: Readonly<Record<string, unknown>>,
  rules: TimeRules,
): number | undefined {
  const iat = payload.iat;
  if (rules.maxTokenAge === undefined || typeof iat !== 'number') return undefined;
  return iat + rules.maxTokenAge + rules.clockTolerance;
}

/**
 * A host and `https://host/` name the same issuer (Pomerium's `jwt_issuer_format`). Normalises
 * either to the host with its ASCII letters in lower case; anything else (a URL with a path)
 * stays as given. Only ASCII letters are folded: host names compare case-insensitively in ASCII
 * alone (RFC 4343), and Unicode case mapping would let look-alikes through (the Kelvin sign
 * U+212A lower-cases to `k`).
 *
 * @example
 * ```ts
 * normalizeIssuer('https://App.example.com/'); // 'app.example.com'
 * ```
 */
export function normalizeIssuer(value: string): string {
  const match = /^https:\/\/([^/?#@\s]+)\/?$/i.exec(value);
  const host = match ? match[1]! : value;
  return /^[^/?#@\s]+$/.test(host) ? foldAsciiCase(host) : value;
}

/** Checks an optional string-or-array claim against expected (normalised) values. */
export function checkIssuerOrAudience(
  payload: Record<string, unknown>,
  name: 'iss' | 'aud',
  expected: ReadonlySet<string> | undefined,
  required: boolean,
): void {
  if (!expected) return;
  const value = payload[name];
  if (value === undefined) {
    if (required) throw new InvalidTokenError('missing_claim', `"${name}" is required`);
    return;
  }
  const reason = name === 'iss' ? 'issuer_mismatch' : 'audience_mismatch';
  // Configured values are normalised hosts, and Pomerium sends hosts: try the exact value first.
  const matches = (v: string) => expected.has(v) || expected.has(normalizeIssuer(v));
  if (typeof value === 'string') {
    if (!matches(value)) throw new InvalidTokenError(reason, `"${name}" does not match`);
    return;
  }
  if (
    name === 'aud' &&
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((v) => typeof v === 'string')
  ) {
    if (!value.some(matches)) throw new InvalidTokenError(reason, '"aud" does not match');
    return;
  }
  throw new InvalidTokenError('invalid_claim', `"${name}" has the wrong type`);
}

/** An optional string claim; any other type is `invalid_claim`. */
export function optionalString(payload: Record<string, unknown>, name: string): string | undefined {
  const value = payload[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw new InvalidTokenError('invalid_claim', `"${name}" is not a string`);
  return value;
}

/** An optional array-of-strings claim (`groups`); absent is `[]`, any other shape is `invalid_claim`. */
export function stringArray(payload: Record<string, unknown>, name: string): string[] {
  const value = payload[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    throw new InvalidTokenError('invalid_claim', `"${name}" is not an array of strings`);
  // A copy: the claims are frozen, and the principal's groups are the request's own.
  return value.slice();
}
