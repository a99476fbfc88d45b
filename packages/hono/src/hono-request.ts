import type { IncomingMessage } from 'node:http';
import { toAuthRequest, type AuthRequest } from '@pomerium-auth/core';
import type { Context } from 'hono';

/** What `@hono/node-server` puts in `c.env`: Node's own request among others. */
interface NodeBindings {
  incoming?: IncomingMessage;
}

/** Path and query of an absolute URL (`c.req.url`), as Node's `req.url` holds them. */
function pathAndQuery(url: string): string {
  const path = url.indexOf('/', url.indexOf('//') + 2);
  return path < 0 ? '/' : url.slice(path);
}

/**
 * A Hono context read as core's request. On Node (`@hono/node-server`), Node's own request:
 * its header record and raw lines, read without building the Web `Request`'s headers, and its
 * socket's address. Elsewhere (`app.request()` in tests, other runtimes), a record built from
 * the Web `Request`'s headers; the client address is then unknown.
 */
export function authRequestOf(c: Context): AuthRequest {
  const incoming = (c.env as NodeBindings | undefined)?.incoming;
  if (incoming?.headers !== undefined && Array.isArray(incoming.rawHeaders))
    return toAuthRequest(incoming);
  const headers: Record<string, string> = {};
  const rawHeaders: string[] = [];
  c.req.raw.headers.forEach((value, name) => {
    headers[name] = value;
    rawHeaders.push(name, value);
  });
  return toAuthRequest({ method: c.req.method, url: pathAndQuery(c.req.url), headers, rawHeaders });
}

/**
 * Core removes headers it has decided on (impersonation headers, unverified claim headers) from
 * the request it was given (Node's header record and raw lines, or the record built here), but
 * handlers read the Web `Request` (`c.req.header()`), whose headers are immutable: when core
 * removed any, `c.req.raw` is replaced by a copy without them. `rawLines` is the count of raw
 * header lines core was given; core splices them only when it removed something, so most
 * requests cost one comparison.
 */
export function hideRemovedHeaders(c: Context, request: AuthRequest, rawLines: number): void {
  if (request.rawHeaders?.length === rawLines) return;
  const raw = c.req.raw;
  const removed: string[] = [];
  raw.headers.forEach((_value, name) => {
    if (!Object.hasOwn(request.headers, name)) removed.push(name);
  });
  if (removed.length === 0) return;
  const headers = new Headers(raw.headers);
  for (const name of removed) headers.delete(name);
  c.req.raw = new Request(raw, { headers });
}
