import { MAX_TIMER_MS, refuseUnknownKeys, timerDelay } from '../config/option-checks.js';
import { PomeriumAuthConfigError } from '../errors.js';
import type { WarningLogger } from '../options.js';
import { toRawRecords, type RecordsFormat } from './decode-records.js';
import { RecordsCopy } from './records-copy.js';
import { recordsLocation } from './records-location.js';
import type { RecordsLoader } from './records-loader.js';
import type { RawRecord, RecordsSource } from './records-source.js';
import type { RecordsTlsOptions } from './tls-options.js';

/**
 * Where records come from: `records` (given in code) or `url` (a file or an HTTP(S) URL in
 * Pomerium's external-data format), exactly one of them; and how they are polled and read.
 * The TLS options (`ca`, `cert`, `key`, `allowInsecureTLS`) apply to `https://` URLs only.
 */
export interface RecordsSourceOptions extends RecordsTlsOptions {
  /** Records given in code. Never reloaded; an invalid list throws at construction. */
  records?: readonly RawRecord[];
  /** A file path, a `file://` URL, or an `http://` / `https://` URL. */
  url?: string | URL;
  /**
   * The format of a JSON or CSV payload. Default: from the extension (`.json`, `.csv`, either
   * followed by `.gz`), else the HTTP `Content-Type`, else JSON when the payload starts with
   * `[`, CSV otherwise. Gzip, tar and zip are recognised by their magic bytes, whatever the
   * name; inside an archive each file's extension gives its format.
   */
  format?: RecordsFormat;
  /**
   * The field that lookups match (`get(key)`), as the console's *Foreign Key*. Default `id`.
   * Records still need an `id`.
   */
  foreignKey?: string;
  /** Seconds until the next poll after a load that changed the records. Default 30. */
  minDelay?: number;
  /** Longest wait in seconds between polls. Default 300 (or `minDelay` if larger). */
  maxDelay?: number;
  /**
   * Factor by which the delay grows after a poll that found nothing new, up to `maxDelay`.
   * Default 1: every `minDelay` seconds, so a change (a revoked account) reaches every instance
   * within `minDelay`; a larger factor trades that bound for fewer polls of a quiet source (see
   * the README's "Reloading"). Failed polls always double the delay.
   */
  backoff?: number;
  /** HTTP headers sent with every request, e.g. `authorization`. */
  headers?: Record<string, string>;
  /** Milliseconds before an HTTP request (body included) is abandoned. Default 10000. */
  timeout?: number;
  /** Largest payload accepted, before and after gunzip. Default 64 MiB. */
  maxBytes?: number;
  /** The `fetch` to use for HTTP(S). Default the global `fetch`. Not with the TLS options. */
  fetch?: typeof fetch;
  /** Where failed loads, and `allowInsecureTLS`, are reported. Default `process.emitWarning`. */
  logger?: WarningLogger;
}

const DEFAULT_MIN_DELAY = 30;
const DEFAULT_MAX_DELAY = 300;
const DEFAULT_BACKOFF = 1;
const DEFAULT_TIMEOUT = 10_000;
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Creates a {@link RecordsSource}: records given in code, or loaded from a file or an HTTP(S)
 * URL in Pomerium's external-data format (a JSON array of objects with an `id`, or CSV whose
 * first row names the fields, one of them `id`; optionally gzip-compressed; or a tar or zip
 * archive of such files, whose paths name their record types) and kept fresh in the
 * background.
 *
 * The first load starts at once; `ready()` resolves when it has finished, whether it worked or
 * not, and never rejects. Then the location is polled: `minDelay` seconds after a load that
 * changed the records; `backoff` times the previous quiet delay (up to `maxDelay`) after a poll
 * that found nothing new (HTTP 304, the same ETag, the same bytes or an untouched file); twice
 * the previous delay (up to `maxDelay`) after a poll that failed. A failed load (unreachable,
 * untrusted certificate, non-2xx, timeout, too large, a refused archive, or a payload that is
 * not valid records) is reported to `logger` and the last good copy is kept; nothing is ever
 * thrown at a request. When several records share an id, the last one wins. Timers are
 * `unref()`ed, so a source never keeps a process alive; `close()` stops polling and aborts a
 * load in flight.
 *
 * @throws {PomeriumAuthConfigError} At construction, for invalid options (an unreadable PEM,
 *   `cert` without `key`, ...) or invalid `records`; `err.option` names the option.
 *
 * @example
 * ```ts
 * const bundle = createRecordsSource({
 *   url: 'https://data.internal.example.com/bundle.tar.gz', // service-accounts.json, directory/users.csv
 *   headers: { authorization: `Bearer ${process.env.DATA_TOKEN}` },
 *   ca: readFileSync('/etc/app/internal-ca.pem', 'utf8'),
 *   minDelay: 30,
 *   backoff: 1,
 * });
 * await bundle.ready();
 * const auth = createPomeriumAuth({ sharedSecret, serviceAccounts: bundle, directory: bundle });
 * // on shutdown
 * bundle.close();
 * ```
 */
export function createRecordsSource(options: RecordsSourceOptions): RecordsSource {
  if (typeof options !== 'object' || options === null) {
    throw new PomeriumAuthConfigError(
      'records',
      'createRecordsSource needs an options object with "records" or "url"',
    );
  }
  const hasRecords = options.records !== undefined;
  const hasUrl = options.url !== undefined;
  if (hasRecords === hasUrl)
    throw new PomeriumAuthConfigError(
      hasUrl ? 'url' : 'records',
      'give exactly one of "records" and "url"',
    );
  if (options.format !== undefined && options.format !== 'json' && options.format !== 'csv') {
    throw new PomeriumAuthConfigError('format', 'must be "json" or "csv"');
  }
  refuseUnknownKeys(options, OPTION_NAMES);
  const foreignKey = options.foreignKey ?? 'id';
  if (typeof foreignKey !== 'string' || foreignKey === '')
    throw new PomeriumAuthConfigError('foreignKey', 'must be a non-empty string');
  checkHeaders(options.headers);
  if (options.logger !== undefined && typeof options.logger?.warn !== 'function')
    throw new PomeriumAuthConfigError('logger', 'must have a warn() method');

  if (options.records !== undefined) {
    let records: RawRecord[];
    try {
      records = toRawRecords(options.records);
    } catch (err) {
      throw new PomeriumAuthConfigError('records', (err as Error).message);
    }
    return staticSource(RecordsCopy.of({ archive: false, records }, foreignKey), foreignKey);
  }

  const minDelay = positive(options.minDelay, DEFAULT_MIN_DELAY, 'minDelay');
  const maxDelay = positive(options.maxDelay, Math.max(DEFAULT_MAX_DELAY, minDelay), 'maxDelay');
  if (maxDelay < minDelay)
    throw new PomeriumAuthConfigError('maxDelay', 'must not be less than "minDelay"');
  const backoff = positive(options.backoff, DEFAULT_BACKOFF, 'backoff');
  if (backoff < 1) throw new PomeriumAuthConfigError('backoff', 'must be at least 1');
  const timeout = timerDelay(positive(options.timeout, DEFAULT_TIMEOUT, 'timeout'), 'timeout');
  const maxBytes = positive(options.maxBytes, DEFAULT_MAX_BYTES, 'maxBytes');
  const logger = options.logger ?? {
    warn: (message: string) => process.emitWarning(message, 'PomeriumAuthWarning'),
  };
  const { loader, where, insecure, close } = recordsLocation(options.url as string | URL, {
    format: options.format,
    headers: options.headers,
    fetch: options.fetch,
    tls: {
      ca: options.ca,
      cert: options.cert,
      key: options.key,
      allowInsecureTLS: options.allowInsecureTLS,
    },
    timeout,
    maxBytes,
  });
  if (insecure) {
    warn(
      logger,
      `pomerium-auth: records source ${where} accepts any TLS certificate (allowInsecureTLS): anyone on the network path can serve it forged records`,
    );
  }
  return pollingSource(loader, where, { minDelay, maxDelay, backoff, logger, foreignKey, close });
}

/** The options of {@link createRecordsSource}: any other is a misspelling, refused. */
const OPTION_NAMES: ReadonlySet<string> = new Set([
  'records',
  'url',
  'format',
  'foreignKey',
  'minDelay',
  'maxDelay',
  'backoff',
  'headers',
  'timeout',
  'maxBytes',
  'fetch',
  'logger',
  'ca',
  'cert',
  'key',
  'allowInsecureTLS',
]);

/**
 * `headers`: an object of header names and string values that an HTTP request can carry; checked
 * here, so that a bad one fails at construction rather than every load (a source that never loads).
 */
function checkHeaders(headers: unknown): void {
  if (headers === undefined) return;
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers))
    throw new PomeriumAuthConfigError('headers', 'must be an object of header names and values');
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string')
      throw new PomeriumAuthConfigError(`headers.${name}`, 'must be a string');
    try {
      new Headers([[name, value]]);
    } catch {
      throw new PomeriumAuthConfigError(
        `headers.${name}`,
        'is not a valid HTTP header name and value (a token name; no CR, LF or NUL in the value)',
      );
    }
  }
}

function staticSource(copy: RecordsCopy, foreignKey: string): RecordsSource {
  const ready = Promise.resolve();
  return {
    kind: 'records-source',
    ready: () => ready,
    get: (key: string, type?: string) => copy.get(key, type),
    all: (type?: string) => copy.all(type),
    version: 1,
    recordTypes: copy.types,
    foreignKey,
    close: () => undefined,
  };
}

/** Reports to a logger that may throw: a failing logger must not stop the polling. */
function warn(logger: WarningLogger, message: string): void {
  try {
    logger.warn(message);
  } catch {
    // nothing to do: the logger is the only place to report to
  }
}

function pollingSource(
  loader: RecordsLoader,
  where: string,
  settings: {
    minDelay: number;
    maxDelay: number;
    backoff: number;
    logger: WarningLogger;
    foreignKey: string;
    close: () => void;
  },
): RecordsSource {
  const minMs = Math.min(settings.minDelay * 1000, MAX_TIMER_MS);
  const maxMs = Math.min(settings.maxDelay * 1000, MAX_TIMER_MS);
  let copy = RecordsCopy.EMPTY;
  let version = 0;
  let delayMs = minMs;
  // The delay that quiet polls reached: failures double `delayMs` from it, and a successful
  // poll goes back to it, so a source that failed for a while returns to its quiet rhythm.
  let quietMs = minMs;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: AbortController | undefined;

  const poll = async (): Promise<void> => {
    const controller = new AbortController();
    inFlight = controller;
    try {
      const outcome = await loader(controller.signal);
      if (closed) return;
      if (outcome.changed) {
        copy = RecordsCopy.of(outcome.payload, settings.foreignKey);
        version++;
        quietMs = minMs;
      } else {
        quietMs = Math.min(quietMs * settings.backoff, maxMs);
      }
      delayMs = quietMs;
    } catch (err) {
      if (closed) return;
      delayMs = Math.min(delayMs * 2, maxMs);
      const kept =
        version === 0
          ? 'no records loaded yet'
          : `keeping the last good copy (${copy.count} records)`;
      warn(
        settings.logger,
        `pomerium-auth: could not load records from ${where}: ${err instanceof Error ? err.message : String(err)}; ${kept}`,
      );
    } finally {
      if (inFlight === controller) inFlight = undefined;
    }
  };

  const schedule = (): void => {
    if (closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      void poll().then(schedule);
    }, delayMs);
    timer.unref();
  };

  const first = poll().then(schedule);

  return {
    kind: 'records-source',
    ready: () => first,
    get: (key: string, type?: string) => copy.get(key, type),
    all: (type?: string) => copy.all(type),
    get version() {
      return version;
    },
    get recordTypes() {
      return copy.types;
    },
    foreignKey: settings.foreignKey,
    close: () => {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      inFlight?.abort(new Error('records source closed'));
      settings.close();
    },
  };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new PomeriumAuthConfigError(name, 'must be a positive number');
  }
  return value;
}
