import type { Grant } from './options.js';

/** A header value as Node's `IncomingMessage#headers` holds it. */
export type HeaderValue = string | string[] | undefined;

/**
 * The framework-free request the core decides on. Adapters pass Node's own objects:
 * `{ method: req.method, url: req.url, headers: req.headers, rawHeaders: req.rawHeaders, ip }`.
 *
 * The core removes the impersonation headers from `headers` (and `rawHeaders`) once it has
 * decided, so nothing downstream applies them twice.
 */
export interface AuthRequest {
  /** HTTP method, e.g. `GET`. */
  method: string;
  /** Path and query, as in `req.url`. */
  url: string;
  /** Header names in lower case, as Node gives them. */
  headers: Record<string, HeaderValue>;
  /**
   * Node's `req.rawHeaders` (alternating names and values). Optional: when given, a credential
   * header that Node folded or dropped as a duplicate (Node keeps only the first `Authorization`)
   * is still seen as repeated.
   */
  rawHeaders?: string[];
  /** Client address, for audit. */
  ip?: string;
  /** Request id for audit; defaults to the `x-request-id` header. */
  requestId?: string;
}

/**
 * A per-route impersonation rule, produced by the adapters' `forbidImpersonation()` and
 * `allowImpersonation(grants)` helpers.
 *
 * @example
 * ```ts
 * await auth.authenticate(request, { impersonation: 'forbid' });
 * await auth.authenticate(request, { impersonation: { grants: [{ initiators: ['group:support'], targets: ['*'] }] } });
 * ```
 */
export interface RouteRule {
  /** `'forbid'`: no impersonation on this route; `{ grants }`: these grants replace the global ones here. */
  impersonation?: 'forbid' | { grants: Grant[] };
}

/** Reads one header as a single string: the first value of an array, `undefined` when absent. */
export function headerValue(headers: Record<string, HeaderValue>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
