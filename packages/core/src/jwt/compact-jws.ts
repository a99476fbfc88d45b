import { InvalidTokenError } from '../errors.js';

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
  return decodeJws(token, false);
}

/**
 * {@link decodeCompactJws} for a token already known to be three base64url segments
 * (`extractCredentials` checked it): the per-segment alphabet scans are skipped.
 */
export function decodeCheckedJws(token: string): DecodedJws {
  return decodeJws(token, true);
}

function decodeJws(token: string, checked: boolean): DecodedJws {
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  if (first <= 0 || second < 0 || token.indexOf('.', second + 1) >= 0 || second === first + 1) {
    throw new InvalidTokenError('malformed_token', 'not a compact JWS of three segments');
  }
  const headerPart = token.slice(0, first);
  const payloadPart = token.slice(first + 1, second);
  const signaturePart = token.slice(second + 1);
  const header = decodeHeader(headerPart, checked);
  const payload = decodeJsonObject(payloadPart, 'payload', checked);
  return { header, payload, signingInput: token.slice(0, second), signature: decodeSegment(signaturePart, 'signature', checked) };
}

function decodeHeader(segment: string, checked: boolean): JoseHeader {
  const cached = headerCache.get(segment);
  if (cached) return cached;
  const header = decodeJsonObject(segment, 'header', checked);
  if (typeof header.alg !== 'string') throw new InvalidTokenError('malformed_token', 'header has no string "alg"');
  if (header.kid !== undefined && typeof header.kid !== 'string') throw new InvalidTokenError('malformed_token', 'header "kid" is not a string');
  // RFC 7515 4.1.11: a token naming extensions the recipient does not understand must be refused.
  if ('crit' in header) throw new InvalidTokenError('unsupported_header', 'header has "crit"');
  if ('b64' in header) throw new InvalidTokenError('unsupported_header', 'header has "b64" (RFC 7797 unencoded payload)');
  if ('enc' in header || 'zip' in header) throw new InvalidTokenError('unsupported_header', 'header is a JWE header');
  const frozen = Object.freeze(header) as JoseHeader;
  if (headerCache.size >= HEADER_CACHE_MAX) headerCache.clear();
  headerCache.set(segment, frozen);
  return frozen;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function decodeSegment(segment: string, what: string, checked: boolean): Buffer {
  // Node's decoder skips characters outside the alphabet; a JWS must not contain any.
  const rest = segment.length % 4;
  if ((!checked && !BASE64URL.test(segment)) || rest === 1) throw new InvalidTokenError('malformed_token', `${what} is not base64url`);
  // Canonical encoding only: the unused low bits of the last character must be zero, so one
  // token has exactly one spelling (no variants of a signature that decode to the same bytes).
  if (rest !== 0 && (ALPHABET.indexOf(segment[segment.length - 1]!) & (rest === 2 ? 0x0f : 0x03)) !== 0) {
    throw new InvalidTokenError('malformed_token', `${what} is not canonical base64url`);
  }
  return Buffer.from(segment, 'base64url');
}

function decodeJsonObject(segment: string, what: string, checked: boolean): Record<string, unknown> {
  if (segment.length === 0) throw new InvalidTokenError('malformed_token', `${what} is empty`);
  const bytes = decodeSegment(segment, what, checked);
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new InvalidTokenError('malformed_token', `${what} is not JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InvalidTokenError('malformed_token', `${what} is not a JSON object`);
  return value as Record<string, unknown>;
}
