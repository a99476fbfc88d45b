import { fileURLToPath } from 'node:url';
import { PomeriumAuthConfigError } from '../errors.js';
import type { RecordsFormat } from './decode-records.js';
import { fileRecordsLoader } from './file-records-loader.js';
import { httpRecordsLoader, type FetchLike } from './http-records-loader.js';
import { httpsFetch } from './https-fetch.js';
import type { RecordsLoader } from './records-loader.js';
import { resolveTlsOptions, type RecordsTlsOptions } from './tls-options.js';

/** What {@link recordsLocation} needs besides the URL, defaults already applied. */
export interface RecordsLocationOptions {
  format?: RecordsFormat | undefined;
  headers?: Record<string, string> | undefined;
  fetch?: typeof fetch | undefined;
  tls?: RecordsTlsOptions | undefined;
  timeout: number;
  maxBytes: number;
}

/** A loader for a location, and how to name the location in logs. */
export interface RecordsLocation {
  loader: RecordsLoader;
  /** The location without credentials or query, fit for logs. */
  where: string;
  /** Whether any server certificate is accepted (`allowInsecureTLS`), to be warned about. */
  insecure: boolean;
  /** Frees what the loader holds (the TLS agent's sockets). */
  close: () => void;
}

/**
 * Picks the loader for the `url` option: `http://` and `https://` URLs are fetched (through
 * `node:https` when TLS options are set, else the global or given `fetch`), `file://` URLs and
 * plain paths are read from disk; any other scheme is a configuration error.
 *
 * @throws {PomeriumAuthConfigError} For an empty, malformed or unsupported `url`, and for
 *   invalid TLS options (see `resolveTlsOptions`).
 *
 * @example
 * ```ts
 * const { loader, where } = recordsLocation('file:///etc/app/users.csv', { timeout: 10_000, maxBytes: 1 << 26 });
 * where; // '/etc/app/users.csv'
 * ```
 */
export function recordsLocation(
  url: string | URL,
  options: RecordsLocationOptions,
): RecordsLocation {
  const text = url instanceof URL ? url.href : url;
  if (typeof text !== 'string' || text === '')
    throw new PomeriumAuthConfigError('url', 'must be a non-empty string or URL');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();

  if (scheme === 'http' || scheme === 'https') {
    let parsed: URL;
    try {
      parsed = new URL(text);
    } catch {
      throw new PomeriumAuthConfigError('url', 'is not a valid URL');
    }
    const tls = resolveTlsOptions(options.tls ?? {}, parsed, options.fetch !== undefined);
    let fetchImpl: FetchLike | undefined = options.fetch ?? globalThis.fetch;
    let close = (): void => undefined;
    if (tls !== undefined) ({ fetch: fetchImpl, close } = httpsFetch(tls));
    if (typeof fetchImpl !== 'function')
      throw new PomeriumAuthConfigError('fetch', 'no fetch implementation is available');
    const loader = httpRecordsLoader(parsed, {
      format: options.format,
      maxBytes: options.maxBytes,
      headers: options.headers,
      timeout: options.timeout,
      fetch: fetchImpl,
    });
    return { loader, where: redact(parsed), insecure: tls?.rejectUnauthorized === false, close };
  }

  let path = text;
  if (scheme === 'file') {
    try {
      path = fileURLToPath(text);
    } catch {
      throw new PomeriumAuthConfigError('url', 'is not a valid file URL');
    }
  } else if (scheme !== undefined) {
    throw new PomeriumAuthConfigError(
      'url',
      `scheme "${scheme}" is not supported (file, http, https)`,
    );
  }
  resolveTlsOptions(options.tls ?? {}, undefined, false); // TLS options on a file are a mistake
  return {
    loader: fileRecordsLoader(path, { format: options.format, maxBytes: options.maxBytes }),
    where: path,
    insecure: false,
    close: () => undefined,
  };
}

/** A URL fit for logs: no credentials, no query (it may hold a token). */
function redact(url: URL): string {
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  const hadQuery = copy.search !== '';
  copy.search = '';
  copy.hash = '';
  return copy.href + (hadQuery ? '?…' : '');
}
