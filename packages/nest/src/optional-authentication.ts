import {
  ASSERTION_HEADER,
  DEFAULT_IMPERSONATION_HEADERS,
  POMERIUM_AUTHORIZATION_HEADER,
  type HeaderValue,
  type PomeriumAuthError,
  type PomeriumAuthOptions,
} from '@pomerium-auth/core';

/**
 * Headers whose presence means the client meant to authenticate. `authorization` counts
 * whatever its scheme: a client that sends one and gets in anonymously would never learn that
 * its credential was not read.
 */
const CREDENTIAL_HEADERS = [ASSERTION_HEADER, POMERIUM_AUTHORIZATION_HEADER, 'authorization'];

/** The impersonation header names the options configure (`false` turns one off). */
function impersonationHeaders(options: Readonly<PomeriumAuthOptions>): string[] {
  const configured = options.impersonation === false ? {} : (options.impersonation ?? {});
  const names = [
    configured.header ?? DEFAULT_IMPERSONATION_HEADERS.header,
    configured.groupsHeader ?? DEFAULT_IMPERSONATION_HEADERS.groupsHeader,
    configured.reasonHeader ?? DEFAULT_IMPERSONATION_HEADERS.reasonHeader,
  ];
  return names.filter((name): name is string => typeof name === 'string').map(lower);
}

const lower = (name: string) => name.toLowerCase();

/**
 * Whether a request carries a credential header or an impersonation header. Read before core
 * decides: core removes the impersonation headers once it has.
 */
export function sendsCredentialOrImpersonation(
  headers: Record<string, HeaderValue>,
  options: Readonly<PomeriumAuthOptions>,
): boolean {
  const sent = (name: string) => Object.hasOwn(headers, name) && headers[name] !== undefined;
  return CREDENTIAL_HEADERS.some(sent) || impersonationHeaders(options).some(sent);
}

/**
 * On an `@OptionalAuth()` route: whether core's refusal only says that no credential came,
 * from a request that sent none and asked for no impersonation. Anything else (a bad
 * credential, an impersonation header without a credential, a key outage) is still refused.
 *
 * Core audits that refusal as `authentication_failed`; a route rule of core's own for
 * optional authentication will decide these requests without one.
 */
export function passesAnonymously(err: PomeriumAuthError, sentCredentials: boolean): boolean {
  return (
    !sentCredentials && err.error === 'credentials_required' && err.reason === 'no_credentials'
  );
}
