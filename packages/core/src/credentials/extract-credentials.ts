import { InvalidRequestError } from '../errors.js';
import type { CredentialSource } from '../identity.js';
import { singleHeaderValue, withLowerCaseHeaderNames, type AuthRequest } from '../request.js';

/** The credentials one request carries, before any verification. */
export interface ExtractedCredentials {
  /** The `x-pomerium-jwt-assertion` token, if sent. */
  assertion?: string;
  /** The service-account token, if sent, and the scheme it came in. */
  serviceAccount?: {
    source: Extract<
      CredentialSource,
      'x-pomerium-authorization' | 'authorization-pomerium' | 'authorization-bearer-pomerium'
    >;
    token: string;
  };
}

/** The header Pomerium sends its signed identity assertion in. */
export const ASSERTION_HEADER = 'x-pomerium-jwt-assertion';
/** The header that carries a service-account token on its own: `x-pomerium-authorization: <jwt>`. */
export const POMERIUM_AUTHORIZATION_HEADER = 'x-pomerium-authorization';
/** The original user behind a chain of services (Pomerium carries the first assertion over). */
export const ASSERTION_FOR_HEADER = 'x-pomerium-jwt-assertion-for';
/** Scheme prefixes, matched exactly (case-sensitive), as Pomerium does since v0.10. */
const POMERIUM_PREFIX = 'Pomerium ';
const BEARER_POMERIUM_PREFIX = 'Bearer Pomerium-';
/** The `Authorization` schemes of service-account tokens, and the source each is reported as. */
const AUTHORIZATION_SCHEMES = [
  [POMERIUM_PREFIX, 'authorization-pomerium'],
  [BEARER_POMERIUM_PREFIX, 'authorization-bearer-pomerium'],
] as const;

/** Compact JWS syntax: three base64url segments (the signature may be empty, to fail later as a token). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Finds Pomerium credentials with Pomerium's own rules: the identity header, then service-account
 * tokens from `x-pomerium-authorization: <jwt>`, `authorization: Pomerium <jwt>` or
 * `authorization: Bearer Pomerium-<jwt>`. Header names are case-insensitive, the scheme words
 * are not; a plain `Bearer <jwt>` is not a Pomerium credential. Refuses with `invalid_request`
 * a header repeated with different values, two different service-account tokens, a token over
 * `maxTokenBytes` (before parsing anything) and a credential that is not compact-JWS syntax.
 *
 * @param request - the request's `headers` (and `rawHeaders`, where Node keeps the repeats of
 *   `Authorization` it drops from `headers`). Names in any case; a name with upper-case letters
 *   is lower-cased in place, as {@link AuthRequest.headers} says.
 * @param maxTokenBytes - the longest token read (default 16 KiB), as the `maxTokenBytes` option.
 * @throws {InvalidRequestError} for a header repeated with different values, two different
 *   service-account tokens, an oversized token, or a credential that is not compact JWS.
 *
 * @example
 * ```ts
 * extractCredentials({ method: 'GET', url: '/', headers: { authorization: 'Pomerium eyJ...' } });
 * // { serviceAccount: { source: 'authorization-pomerium', token: 'eyJ...' } }
 * ```
 */
export function extractCredentials(
  request: Pick<AuthRequest, 'headers' | 'rawHeaders'>,
  maxTokenBytes = 16_384,
): ExtractedCredentials {
  const result: ExtractedCredentials = {};
  withLowerCaseHeaderNames(request);
  const assertion = extractAssertion(request, maxTokenBytes);
  if (assertion !== undefined) result.assertion = assertion;
  const serviceAccount = extractServiceAccountToken(request, maxTokenBytes);
  if (serviceAccount !== undefined) result.serviceAccount = serviceAccount;
  return result;
}

/** The `x-pomerium-jwt-assertion` token, if sent (checked for size and compact-JWS syntax). */
export function extractAssertion(
  request: Pick<AuthRequest, 'headers' | 'rawHeaders'>,
  maxTokenBytes: number,
): string | undefined {
  const value = singleHeaderValue(request, ASSERTION_HEADER, true);
  return value ? checkToken(value, maxTokenBytes, ASSERTION_HEADER) : undefined;
}

/**
 * The service-account token of a request, if sent, in Pomerium's order of headers: refuses two
 * different ones (`ambiguous_credentials`).
 */
export function extractServiceAccountToken(
  request: Pick<AuthRequest, 'headers' | 'rawHeaders'>,
  maxTokenBytes: number,
): ExtractedCredentials['serviceAccount'] {
  const pomeriumValue = singleHeaderValue(request, POMERIUM_AUTHORIZATION_HEADER, true);
  // Other schemes (Digest, say) put commas in Authorization: its value is never split.
  const authorization = singleHeaderValue(request, 'authorization', false);
  const scheme = AUTHORIZATION_SCHEMES.find(([prefix]) => authorization?.startsWith(prefix));
  const fromAuthorization: ExtractedCredentials['serviceAccount'] = scheme && {
    source: scheme[1],
    token: checkToken(authorization!.slice(scheme[0].length), maxTokenBytes, 'authorization'),
  };
  if (!pomeriumValue) return fromAuthorization;
  const token = checkToken(pomeriumValue, maxTokenBytes, POMERIUM_AUTHORIZATION_HEADER);
  if (fromAuthorization && fromAuthorization.token !== token) {
    throw new InvalidRequestError(
      'ambiguous_credentials',
      'x-pomerium-authorization and authorization carry different tokens',
    );
  }
  return { source: 'x-pomerium-authorization', token };
}

/** Refuses an oversized token before parsing it, and anything but compact-JWS syntax. */
export function checkToken(token: string, maxTokenBytes: number, header: string): string {
  if (token.length > maxTokenBytes)
    throw new InvalidRequestError('token_too_large', `${header}: ${token.length} bytes`);
  if (!COMPACT_JWS.test(token))
    throw new InvalidRequestError('malformed_credential', `${header}: not a compact JWS`);
  return token;
}

/**
 * The assertion sent as `Authorization: Bearer <jwt>` (Pomerium's `set_request_headers:
 * { Authorization: "Bearer ${pomerium.jwt}" }`), if the request carries one. The scheme word
 * `Bearer` compares case-insensitively (RFC 7235); `Bearer Pomerium-<jwt>` is a service-account
 * token, never an assertion.
 */
export function extractBearerAssertion(
  request: Pick<AuthRequest, 'headers' | 'rawHeaders'>,
  maxTokenBytes: number,
): string | undefined {
  const authorization = singleHeaderValue(request, 'authorization', false);
  if (authorization === undefined || authorization.startsWith(BEARER_POMERIUM_PREFIX))
    return undefined;
  const match = /^bearer +/i.exec(authorization);
  if (!match) return undefined;
  return checkToken(authorization.slice(match[0].length).trim(), maxTokenBytes, 'authorization');
}

/**
 * The service-account token in a cookie (`_pomerium` by default), as Pomerium reads it. Node
 * joins several `Cookie` headers with `; `; the same cookie twice with different values is
 * `invalid_request` (`repeated_header`).
 */
export function extractCookieToken(
  request: Pick<AuthRequest, 'headers'>,
  cookieName: string,
  maxTokenBytes: number,
): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  let found: string | undefined;
  for (const line of Array.isArray(header) ? header : [header]) {
    for (const pair of line.split(';')) {
      const eq = pair.indexOf('=');
      if (eq < 0 || pair.slice(0, eq).trim() !== cookieName) continue;
      let value = pair.slice(eq + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"'))
        value = value.slice(1, -1);
      if (found !== undefined && found !== value) {
        throw new InvalidRequestError(
          'repeated_header',
          `cookie ${cookieName} sent with different values`,
        );
      }
      found = value;
    }
  }
  return found ? checkToken(found, maxTokenBytes, `cookie ${cookieName}`) : undefined;
}
