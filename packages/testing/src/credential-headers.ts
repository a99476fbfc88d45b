/**
 * The three header schemes Pomerium accepts a service-account token in, in the order Pomerium
 * tries them.
 *
 * @example
 * ```ts
 * import { SERVICE_ACCOUNT_SCHEMES, serviceAccountHeaders } from '@pomerium-auth/testing';
 * for (const scheme of SERVICE_ACCOUNT_SCHEMES) {
 *   await fetch(url, { headers: serviceAccountHeaders(token, scheme) });
 * }
 * ```
 */
export const SERVICE_ACCOUNT_SCHEMES = Object.freeze([
  'x-pomerium-authorization',
  'authorization-pomerium',
  'authorization-bearer-pomerium',
] as const);

/**
 * One of {@link SERVICE_ACCOUNT_SCHEMES}; also the `credential.source` a verifier reports.
 *
 * @example
 * ```ts
 * import type { ServiceAccountScheme } from '@pomerium-auth/testing';
 * const scheme: ServiceAccountScheme = 'authorization-pomerium';
 * ```
 */
export type ServiceAccountScheme = (typeof SERVICE_ACCOUNT_SCHEMES)[number];

/**
 * Request headers carrying a service-account token, for `fetch`, supertest's `.set()` or any
 * HTTP client:
 *
 * - `'x-pomerium-authorization'` → `{ 'x-pomerium-authorization': token }`
 * - `'authorization-pomerium'` → `{ authorization: 'Pomerium ' + token }`
 * - `'authorization-bearer-pomerium'` (default) → `{ authorization: 'Bearer Pomerium-' + token }`
 *
 * @param token - the service-account token.
 * @param scheme - which of the three headers Pomerium accepts; default
 *   `'authorization-bearer-pomerium'`.
 *
 * @example
 * ```ts
 * import { serviceAccountHeaders } from '@pomerium-auth/testing';
 * const res = await fetch(url, { headers: serviceAccountHeaders(issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' })) });
 * await request(app).get('/me').set(serviceAccountHeaders(token, 'x-pomerium-authorization'));
 * ```
 */
export function serviceAccountHeaders(
  token: string,
  scheme: ServiceAccountScheme = 'authorization-bearer-pomerium',
): Record<string, string> {
  switch (scheme) {
    case 'x-pomerium-authorization':
      return { 'x-pomerium-authorization': token };
    case 'authorization-pomerium':
      return { authorization: `Pomerium ${token}` };
    case 'authorization-bearer-pomerium':
      return { authorization: `Bearer Pomerium-${token}` };
    default:
      throw new TypeError(`unknown service-account scheme ${JSON.stringify(scheme)}`);
  }
}

/**
 * Request headers carrying an identity assertion, as Pomerium sends it upstream:
 * `{ 'x-pomerium-jwt-assertion': token }`.
 *
 * @example
 * ```ts
 * import { assertionHeaders } from '@pomerium-auth/testing';
 * const res = await fetch(url, { headers: assertionHeaders(issuer.mintAssertion({ sub: 'alice' })) });
 * ```
 */
export function assertionHeaders(token: string): Record<string, string> {
  return { 'x-pomerium-jwt-assertion': token };
}

/**
 * The identity assertion as `Authorization: Bearer <jwt>`, as Pomerium sends it with
 * `set_request_headers: { Authorization: "Bearer ${pomerium.jwt}" }` (the `bearer-assertion`
 * source).
 *
 * @example
 * ```ts
 * import { bearerAssertionHeaders } from '@pomerium-auth/testing';
 * await fetch(url, { headers: bearerAssertionHeaders(issuer.mintAssertion({ sub: 'alice' })) });
 * ```
 */
export function bearerAssertionHeaders(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/**
 * The original user's assertion that Pomerium carries over a chain of services, as
 * `x-pomerium-jwt-assertion-for` (the `assertionFor` option).
 *
 * @example
 * ```ts
 * import { assertionForHeaders, assertionHeaders } from '@pomerium-auth/testing';
 * const headers = { ...assertionHeaders(serviceToken), ...assertionForHeaders(aliceToken) };
 * ```
 */
export function assertionForHeaders(token: string): Record<string, string> {
  return { 'x-pomerium-jwt-assertion-for': token };
}

/**
 * A service-account token in a cookie, `_pomerium` unless named (the `cookie` source):
 * `{ cookie: '_pomerium=<jwt>' }`.
 *
 * @param token - the service-account token.
 * @param name - the cookie's name, as the `cookieName` option (default `_pomerium`).
 *
 * @example
 * ```ts
 * import { cookieHeaders } from '@pomerium-auth/testing';
 * await fetch(url, { headers: cookieHeaders(issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' })) });
 * ```
 */
export function cookieHeaders(token: string, name = '_pomerium'): Record<string, string> {
  return { cookie: `${name}=${token}` };
}
