import { InvalidTokenError } from '../errors.js';
import { deepFreeze } from '../lib/deep-freeze.js';
import { base64urlToText, checkBase64url } from './base64url.js';

/** The JOSE header fields the suite reads. Anything naming a key source (`jku`, `x5u`, `jwk`, `x5c`) is never used. */
export interface JoseHeader {
  alg: string;
  kid?: string;
  typ?: string;
  [name: string]: unknown;
}

/** A compact JWS split and decoded, not yet verified. */
export interface DecodedJws {
  header: JoseHeader;
  payload: Record<string, unknown>;
  /** `base64url(header) + '.' + base64url(payload)`: the bytes the signature covers. */
  signingInput: string;
  signature: Buffer;
}

/**
 * A compact JWS decoded but for its signature, which stays text (checked canonical base64url)
 * until a verification decodes it where it needs it: the verification hot path copies nothing.
 */
export interface ParsedJws {
  header: JoseHeader;
  payload: Record<string, unknown>;
  signingInput: string;
  /** The signature segment, base64url. */
  signatureText: string;
}

/** Header segments seen before, decoded and checked: Pomerium sends the same header on every assertion. */
const headerCache = new Map<string, JoseHeader>();
const HEADER_CACHE_MAX = 64;

/**
 * Splits and decodes a compact JWS. Refuses (with `invalid_token`) anything that is not three
 * base64url segments carrying a JSON object header with a string `alg` and a JSON object
 * payload, and any header that asks for processing the suite does not do (`crit`, `b64`, `zip`,
 * `enc`). Key-naming fields (`jku`, `x5u`, `jwk`, `x5c`) are ignored, never honoured.
 *
 * @example
 * ```ts
 * const { header, payload } = decodeCompactJws(token);
 * ```
 */
export function decodeCompactJws(token: string): DecodedJws {
  const { header, payload, signingInput, signatureText } = parseJws(token, false);
  return { header, payload, signingInput, signature: Buffer.from(signatureText, 'base64url') };
}

/**
 * {@link decodeCompactJws} for a token already known to be three base64url segments
 * (`extractCredentials` checked it): the per-segment alphabet scans are skipped, and the
 * signature is left as text for `verifyParsedJws`.
 */
export function parseCheckedJws(token: string): ParsedJws {
  return parseJws(token, true);
}

function parseJws(token: string, checked: boolean): ParsedJws {
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  if (first <= 0 || second < 0 || token.indexOf('.', second + 1) >= 0 || second === first + 1) {
    throw new InvalidTokenError('malformed_token', 'not a compact JWS of three segments');
  }
  const header = decodeHeader(token.slice(0, first), checked);
  const payload = decodeJsonObject(token.slice(first + 1, second), 'payload', checked);
  const signatureText = token.slice(second + 1);
  checkBase64url(signatureText, 'signature', checked);
  return { header, payload, signingInput: token.slice(0, second), signatureText };
}

function decodeHeader(segment: string, checked: boolean): JoseHeader {
  const cached = headerCache.get(segment);
  if (cached) return cached;
  const header = decodeJsonObject(segment, 'header', checked);
  if (typeof header.alg !== 'string')
    throw new InvalidTokenError('malformed_token', 'header has no string "alg"');
  if (header.kid !== undefined && typeof header.kid !== 'string')
    throw new InvalidTokenError('malformed_token', 'header "kid" is not a string');
  // RFC 7515 4.1.11: a token naming extensions the recipient does not understand must be refused.
  if ('crit' in header) throw new InvalidTokenError('unsupported_header', 'header has "crit"');
  if ('b64' in header)
    throw new InvalidTokenError(
      'unsupported_header',
      'header has "b64" (RFC 7797 unencoded payload)',
    );
  if ('enc' in header || 'zip' in header)
    throw new InvalidTokenError('unsupported_header', 'header is a JWE header');
  // Shared by every token with this header segment: nothing may change it, nested values included.
  const frozen = deepFreeze(header) as JoseHeader;
  if (headerCache.size >= HEADER_CACHE_MAX) headerCache.clear();
  headerCache.set(segment, frozen);
  return frozen;
}

function decodeJsonObject(
  segment: string,
  what: string,
  checked: boolean,
): Record<string, unknown> {
  if (segment.length === 0) throw new InvalidTokenError('malformed_token', `${what} is empty`);
  checkBase64url(segment, what, checked);
  let value: unknown;
  try {
    value = JSON.parse(base64urlToText(segment));
  } catch {
    throw new InvalidTokenError('malformed_token', `${what} is not JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new InvalidTokenError('malformed_token', `${what} is not a JSON object`);
  return value as Record<string, unknown>;
}
