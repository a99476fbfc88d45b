import { createHash } from 'node:crypto';
import { discardBody, readBoundedBody } from '../http/read-bounded-body.js';
import { decodePayload } from './decode-payload.js';
import type { RecordsFormat } from './decode-records.js';
import type { LoadOutcome, RecordsLoader } from './records-loader.js';

/** Options of {@link httpRecordsLoader}. */
export interface HttpRecordsLoaderOptions {
  /** The payload format; by default from the URL path's extension, the `Content-Type`, else sniffed. */
  format?: RecordsFormat | undefined;
  /** Largest body, and largest decompressed payload, accepted. */
  maxBytes: number;
  /** Sent with every request (e.g. `authorization`). */
  headers?: Record<string, string> | undefined;
  /** Milliseconds before a request, body included, is abandoned. */
  timeout: number;
  /** The `fetch` to use: the global one, the user's, or `httpsFetch` for TLS options. */
  fetch: FetchLike;
}

/**
 * What the loader needs of `fetch`: a GET of a URL with headers, abortable, following
 * redirects. The global `fetch` is one; `httpsFetch` is another, for TLS options.
 */
export type FetchLike = (
  url: URL,
  init: { headers: Headers; signal: AbortSignal; redirect: 'follow' },
) => Promise<Response>;

const DEFAULT_ACCEPT = 'application/json, text/csv;q=0.9, */*;q=0.1';

/**
 * Loads records from an HTTP(S) URL. Sends `If-None-Match` with the last good load's ETag: a
 * `304`, the same ETag again, or a body identical to the last good one answer "unchanged".
 * Any other status than 2xx, a body over `maxBytes`, or a request slower than `timeout`
 * (headers and body together) is a failure. Credentials in the URL (`https://user:pass@host/`)
 * are sent as Basic authentication, unless `headers` has an `authorization`.
 *
 * @example
 * ```ts
 * const load = httpRecordsLoader(new URL('https://data.example.com/users.csv'), {
 *   maxBytes: 64 << 20, timeout: 10_000, fetch, headers: { authorization: 'Bearer x' },
 * });
 * ```
 */
export function httpRecordsLoader(url: URL, options: HttpRecordsLoaderOptions): RecordsLoader {
  // fetch refuses URLs with credentials; send them as curl does, as Basic authentication.
  const target = new URL(url.href);
  let basic: string | undefined;
  if (target.username !== '' || target.password !== '') {
    const user = percentDecoded(target.username);
    const password = percentDecoded(target.password);
    basic = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  let etag: string | undefined;
  let digest: string | undefined;

  return async (signal: AbortSignal): Promise<LoadOutcome> => {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(
      () => controller.abort(new Error(`timed out after ${options.timeout} ms`)),
      options.timeout,
    );
    timer.unref();
    try {
      const headers = new Headers(options.headers);
      if (!headers.has('accept')) headers.set('accept', DEFAULT_ACCEPT);
      if (basic !== undefined && !headers.has('authorization')) headers.set('authorization', basic);
      if (etag !== undefined) headers.set('if-none-match', etag);
      else headers.delete('if-none-match');

      let response: Response;
      try {
        response = await options.fetch(target, {
          headers,
          signal: controller.signal,
          redirect: 'follow',
        });
      } catch (err) {
        throw abortReasonOr(controller.signal, err, target);
      }
      if (response.status === 304) {
        discardBody(response);
        if (etag === undefined) throw new Error('HTTP 304 to a request without If-None-Match');
        return { changed: false };
      }
      if (response.status < 200 || response.status > 299) {
        discardBody(response);
        throw new Error(`HTTP ${response.status}`);
      }
      const newEtag = response.headers.get('etag') ?? undefined;
      if (etag !== undefined && newEtag === etag) {
        discardBody(response);
        return { changed: false };
      }
      let bytes: Buffer;
      try {
        bytes = await readBoundedBody(response, options.maxBytes, controller.signal);
      } catch (err) {
        throw abortReasonOr(controller.signal, err, target);
      }
      const bodyDigest = createHash('sha256').update(bytes).digest('hex');
      if (digest !== undefined && bodyDigest === digest) {
        etag = newEtag;
        return { changed: false };
      }
      const payload = await decodePayload(bytes, {
        format: options.format,
        name: url.pathname,
        contentType: response.headers.get('content-type'),
        maxBytes: options.maxBytes,
      });
      etag = newEtag;
      digest = bodyDigest;
      return { changed: true, payload };
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  };
}

/**
 * An aborted fetch rejects with an opaque error; the abort reason says what happened. Other
 * errors keep their cause (e.g. `ECONNREFUSED`) but lose the URL's query, which may hold a token.
 */
function abortReasonOr(signal: AbortSignal, err: unknown, url: URL): Error {
  if (signal.aborted) return signal.reason instanceof Error ? signal.reason : new Error('aborted');
  let message = err instanceof Error ? err.message : String(err);
  if (err instanceof Error && err.cause instanceof Error) message += ` (${err.cause.message})`;
  return new Error(
    url.search === '' ? message : message.split(url.href).join(`${url.origin}${url.pathname}?…`),
  );
}

function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
