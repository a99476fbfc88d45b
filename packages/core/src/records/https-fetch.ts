import { Agent, request } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { FetchLike } from './http-records-loader.js';
import type { TlsSettings } from './tls-options.js';

/** As many redirects as `fetch` follows. */
const MAX_REDIRECTS = 20;
const REDIRECT = new Set([301, 302, 303, 307, 308]);
/** What `fetch` drops when a redirect leaves the origin. */
const CROSS_ORIGIN_DROPPED = ['authorization', 'cookie', 'proxy-authorization'];

/**
 * A GET over `node:https` with TLS settings (extra CAs, a client certificate, or none checked),
 * answered as a `Response` so that the HTTP loader reads it as it reads the global `fetch`'s:
 * the same ETag handling, timeout, abort and `maxBytes` cut-off. The global `fetch` cannot
 * take these settings, and undici's `Agent` is not exposed by Node without a dependency.
 *
 * Redirects are followed as `fetch` follows them (up to 20; `Authorization` and `Cookie`
 * dropped when the origin changes), except to `http:`: a source that asked for TLS settings is
 * never downgraded to cleartext. Connections are not kept alive between polls; `close()`
 * destroys any socket still open.
 *
 * @example
 * ```ts
 * const https = httpsFetch(resolveTlsOptions({ ca: companyCa }, url, false)!);
 * const response = await https.fetch(new URL('https://data.internal/users.csv'), {
 *   headers: new Headers(), signal: AbortSignal.timeout(10_000), redirect: 'follow',
 * });
 * https.close();
 * ```
 */
export function httpsFetch(settings: TlsSettings): { fetch: FetchLike; close: () => void } {
  const agent = new Agent({
    keepAlive: false,
    secureContext: settings.secureContext,
    rejectUnauthorized: settings.rejectUnauthorized,
  });

  const get = (
    url: URL,
    headers: Headers,
    signal: AbortSignal,
    hops: number,
  ): Promise<Response> => {
    if (url.protocol !== 'https:')
      return Promise.reject(
        new Error(`redirect to a ${url.protocol} URL refused: TLS options apply to https only`),
      );
    return new Promise<IncomingMessage>((resolve, reject) => {
      signal.throwIfAborted();
      const req = request(url, { method: 'GET', headers: Object.fromEntries(headers), agent });
      // `request`'s own `signal` option stops listening once the request is sent, so an abort
      // would not reach a body still streaming: destroy the request (and its socket) ourselves.
      const onAbort = (): void => {
        req.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const done = (): void => signal.removeEventListener('abort', onAbort);
      req.once('response', (res) => {
        res.once('close', done);
        resolve(res);
      });
      req.once('error', (err) => {
        done();
        reject(err);
      });
      req.end();
    }).then((res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (REDIRECT.has(status) && location !== undefined) {
        res.resume();
        if (hops >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects`);
        const next = new URL(location, url);
        const nextHeaders = new Headers(headers);
        if (next.origin !== url.origin)
          for (const name of CROSS_ORIGIN_DROPPED) nextHeaders.delete(name);
        return get(next, nextHeaders, signal, hops + 1);
      }
      return toResponse(res, status);
    });
  };

  return {
    fetch: (url, init) => get(url, init.headers, init.signal, 0),
    close: () => agent.destroy(),
  };
}

function toResponse(res: IncomingMessage, status: number): Response {
  const headers = new Headers();
  try {
    for (let i = 0; i + 1 < res.rawHeaders.length; i += 2)
      headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
    // A Response cannot carry a body with these statuses, nor be built with a status outside 200-599.
    const bodiless = status === 204 || status === 205 || status === 304;
    if (bodiless) res.resume();
    const body = bodiless ? null : (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>);
    return new Response(body, { status, statusText: res.statusMessage ?? '', headers });
  } catch (err) {
    res.destroy();
    throw new Error(`unusable HTTP response (status ${status})`, { cause: err });
  }
}
