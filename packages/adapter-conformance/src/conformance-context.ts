import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The async context every conformance app enters, in a middleware before authentication, with the
 * request's `x-request-id` (`conformanceContext.run(id, next)`): the table checks that the audit
 * sink and a `pomerium-auth:audit` subscriber both see it, as a request-scoped logger would.
 */
export const conformanceContext = new AsyncLocalStorage<string>();

/** The `x-request-id` of a request's headers, for {@link conformanceContext}. */
export function conformanceRequestId(headers: Record<string, unknown>): string {
  const value = headers['x-request-id'];
  return typeof value === 'string' ? value : '';
}
