import {
  assertionForHeaders,
  assertionHeaders,
  bearerAssertionHeaders,
  cookieHeaders,
  serviceAccountHeaders,
  SERVICE_ACCOUNT_SCHEMES,
  type ServiceAccountScheme,
} from '@pomerium-auth/testing';
import { usageError } from './cli-error.js';
import { stringFlag, type ParsedFlags } from './parse-flags.js';

/**
 * How a request carries an assertion: the identity header, `Authorization: Bearer <jwt>`
 * (the `bearer-assertion` source), or `x-pomerium-jwt-assertion-for` (the original user behind a
 * chain of services). The names are the `credential.source` core reports.
 */
export const ASSERTION_SCHEMES = Object.freeze([
  'assertion',
  'authorization-bearer-assertion',
  'assertion-for',
] as const);

/** How a request carries a service-account token: Pomerium's three headers, or its cookie. */
export const SERVICE_ACCOUNT_TOKEN_SCHEMES = Object.freeze([
  ...SERVICE_ACCOUNT_SCHEMES,
  'cookie',
] as const);

/** One way a request carries a token, named as core names the source it reads. */
export type CredentialScheme =
  (typeof ASSERTION_SCHEMES)[number] | (typeof SERVICE_ACCOUNT_TOKEN_SCHEMES)[number];

/** The default `cookieName` of core and Pomerium. */
export const DEFAULT_COOKIE_NAME = '_pomerium';

/** RFC 6265's cookie-name token: what fits before `=` in a `Cookie` header. */
const COOKIE_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Reads a `--scheme` value, one of `allowed`. */
export function schemeFlag<S extends CredentialScheme>(
  command: string,
  value: string | undefined,
  allowed: readonly S[],
): S | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw usageError(command, `--scheme must be one of ${allowed.join(', ')}`);
  return value as S;
}

/** Reads `--cookie-name`, which only the `cookie` scheme (or source) uses. */
export function cookieNameFlag(command: string, value: string | undefined): string | undefined {
  if (value !== undefined && !COOKIE_NAME.test(value))
    throw usageError(command, `--cookie-name ${JSON.stringify(value)} is not a cookie name`);
  return value;
}

/** The request headers carrying `token` in `scheme`, as Pomerium (or a client) sends them. */
export function schemeHeaders(
  token: string,
  scheme: CredentialScheme,
  cookieName: string = DEFAULT_COOKIE_NAME,
): Record<string, string> {
  switch (scheme) {
    case 'assertion':
      return assertionHeaders(token);
    case 'authorization-bearer-assertion':
      return bearerAssertionHeaders(token);
    case 'assertion-for':
      return assertionForHeaders(token);
    case 'cookie':
      return cookieHeaders(token, cookieName);
    default:
      return serviceAccountHeaders(token, scheme satisfies ServiceAccountScheme);
  }
}

/** `x-pomerium-jwt-assertion-for` → `X-Pomerium-Jwt-Assertion-For`, as Pomerium documents it. */
function displayName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}

/** Headers as lines a `curl -H` takes: `Authorization: Bearer Pomerium-<jwt>`. */
export function headerLines(headers: Record<string, string>): string {
  return Object.entries(headers)
    .map(([name, value]) => `${displayName(name)}: ${value}\n`)
    .join('');
}

/**
 * How a mint command prints its token: bare (the default), or with `--scheme` as the header line
 * a request carries it in (`--cookie-name` naming the cookie of the `cookie` scheme).
 */
export function tokenPrinter(
  command: string,
  flags: ParsedFlags,
  allowed: readonly CredentialScheme[],
): (token: string) => string {
  const scheme = schemeFlag(command, stringFlag(flags, 'scheme'), allowed);
  const cookieName = cookieNameFlag(command, stringFlag(flags, 'cookie-name'));
  if (cookieName !== undefined && scheme !== 'cookie')
    throw usageError(command, '--cookie-name goes with --scheme cookie');
  if (scheme === undefined) return (token) => `${token}\n`;
  return (token) => headerLines(schemeHeaders(token, scheme, cookieName));
}
