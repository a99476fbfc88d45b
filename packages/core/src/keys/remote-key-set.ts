import type { JsonWebKey } from 'node:crypto';
import { InvalidTokenError, TemporarilyUnavailableError } from '../errors.js';
import { discardBody, readBoundedBody } from '../http/read-bounded-body.js';
import type { JwksOptions } from '../options.js';
import { importVerificationKey, KeyImportError, type VerificationKey } from './verification-key.js';

/** The defaults of {@link JwksOptions}, documented there. */
const DEFAULTS = { timeout: 5000, cooldown: 30, maxAge: 300, maxStale: 86_400, maxBytes: 1 << 20 };
/** First retry delay after a failed fetch; doubles up to the cooldown. */
const FIRST_RETRY_MS = 1000;

/** What a key set looks like at one moment, for diagnostics and tests. */
export interface RemoteKeySetState {
  /** Number of HTTP fetches started. */
  fetches: number;
  /** Keys currently held. */
  keys: number;
  /** When the held keys were fetched (ms since epoch), if ever. */
  fetchedAt?: number;
  /** The last fetch error, if the last fetch failed. */
  lastError?: string;
}

/**
 * Pomerium's `/.well-known/pomerium/jwks.json`, cached. Keys are refetched when they grow old
 * (`Cache-Control: max-age`, else `maxAge`) in the background, or at once for an unknown `kid`.
 * One fetch at a time: every request that needs a fetch while one is in flight waits for that
 * one. The `cooldown` limits only the starting of fetches for unknown `kid`s (at most one per
 * `cooldown`, counted from the end of the last one), so random `kid`s cannot cause a refetch
 * storm. A response is read up to `maxBytes` and for `timeout` milliseconds at most, then
 * abandoned. A failed fetch keeps the old keys (up to `maxStale`); with no key at all the
 * answer is 503 `temporarily_unavailable`, never a 401 and never a pass.
 *
 * @example
 * ```ts
 * const keys = new RemoteKeySet('https://app.example.com/.well-known/pomerium/jwks.json');
 * const candidates = await keys.keysFor('kid-1', 'ES256');
 * ```
 */
export class RemoteKeySet {
  readonly url: URL;
  private readonly timeout: number;
  private readonly cooldownMs: number;
  private readonly maxAgeMs: number;
  private readonly maxStaleMs: number;
  private readonly maxBytes: number;
  private readonly fetchImpl: typeof fetch;
  private readonly alone: readonly RemoteKeySet[] = [this];
  private byKid = new Map<string, VerificationKey>();
  private unnamed: VerificationKey[] = [];
  private fetchedAt: number | undefined;
  private freshUntil = 0;
  /** When the last fetch an unknown `kid` waited for ended: the cooldown counts from there. */
  private unknownKidFetchEnded = -Infinity;
  private retryAt = 0;
  private retryDelay = FIRST_RETRY_MS;
  private inflight: Promise<void> | undefined;
  /** Whether a request with an unknown `kid` waits for the fetch in flight. */
  private inflightForUnknownKid = false;
  private fetchCount = 0;
  private lastError: string | undefined;

  constructor(url: string | URL, options: JwksOptions = {}) {
    this.url = new URL(url);
    this.timeout = options.timeout ?? DEFAULTS.timeout;
    this.cooldownMs = (options.cooldown ?? DEFAULTS.cooldown) * 1000;
    this.maxAgeMs = (options.maxAge ?? DEFAULTS.maxAge) * 1000;
    this.maxStaleMs = (options.maxStale ?? DEFAULTS.maxStale) * 1000;
    this.maxBytes = options.maxBytes ?? DEFAULTS.maxBytes;
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** Diagnostics: fetch count, key count, last error. */
  state(): RemoteKeySetState {
    return {
      fetches: this.fetchCount,
      keys: this.byKid.size + this.unnamed.length,
      fetchedAt: this.fetchedAt,
      lastError: this.lastError,
    };
  }

  /**
   * The keys that may have signed a token with this `kid` and `alg`: an array at once when the
   * held set can answer, a promise when a fetch has to happen first. Fails with 503 when no key
   * set can be had at all, with `invalid_token` (`unknown_key`) when the set has no such key.
   */
  keysFor(kid: string | undefined, alg: string): VerificationKey[] | Promise<VerificationKey[]> {
    return RemoteKeySet.mergedKeysFor(this.alone, kid, alg);
  }

  /**
   * {@link RemoteKeySet.keysFor} over several key sets at once (`jwksUrl` as a list, during a
   * rotation): a `kid` found in any set verifies, and the same key published by several sets
   * is tried once. When no held set has the key, every set is refetched under its own rules
   * (each with its own fetch in flight and its own cooldown), and the answer comes as soon as
   * one of them brings the key. It is 503 `keys_unavailable` when some set holds no key at all
   * (the key may be in it), else `unknown_key`.
   *
   * @example
   * ```ts
   * const sets = [new RemoteKeySet(oldUrl), new RemoteKeySet(newUrl)];
   * const candidates = await RemoteKeySet.mergedKeysFor(sets, 'kid-1', 'ES256');
   * ```
   */
  static mergedKeysFor(
    sets: readonly RemoteKeySet[],
    kid: string | undefined,
    alg: string,
  ): VerificationKey[] | Promise<VerificationKey[]> {
    const now = Date.now();
    let found: VerificationKey[] | undefined;
    for (const set of sets) {
      const held = set.heldKeys(kid, alg, now);
      if (held !== undefined && held.length > 0)
        found = found === undefined ? held : withoutRepeats(found, held);
    }
    if (found !== undefined) return found;
    const fetches: Array<Promise<void>> = [];
    for (const set of sets) {
      const fetching = set.fetchFor(kid, now);
      if (fetching !== undefined) fetches.push(fetching);
    }
    if (fetches.length === 0) return RemoteKeySet.heldOrThrow(sets, kid, alg);
    return untilFound(fetches, () => RemoteKeySet.held(sets, kid, alg).length > 0).then(() =>
      RemoteKeySet.heldOrThrow(sets, kid, alg),
    );
  }

  private static held(
    sets: readonly RemoteKeySet[],
    kid: string | undefined,
    alg: string,
  ): VerificationKey[] {
    let found: VerificationKey[] = [];
    for (const set of sets)
      if (set.fetchedAt !== undefined) found = withoutRepeats(found, set.select(kid, alg));
    return found;
  }

  private static heldOrThrow(
    sets: readonly RemoteKeySet[],
    kid: string | undefined,
    alg: string,
  ): VerificationKey[] {
    const found = RemoteKeySet.held(sets, kid, alg);
    if (found.length > 0) return found;
    const empty = sets.filter((set) => set.fetchedAt === undefined);
    if (empty.length > 0) {
      throw new TemporarilyUnavailableError(
        'keys_unavailable',
        empty.map((set) => `key set ${set.url.href}: ${set.lastError ?? 'unavailable'}`).join('; '),
      );
    }
    throw new InvalidTokenError(
      'unknown_key',
      kid === undefined
        ? `no ${alg} key without kid`
        : `no ${alg} key with kid ${JSON.stringify(kid)}`,
    );
  }

  /**
   * The keys held for `kid` and `alg`, or `undefined` when nothing usable is held (never
   * fetched, or older than `maxStale`). A stale or empty set starts a fetch in the background.
   */
  private heldKeys(
    kid: string | undefined,
    alg: string,
    now: number,
  ): VerificationKey[] | undefined {
    if (this.fetchedAt !== undefined && now - this.fetchedAt > this.maxStaleMs) this.dropKeys();
    if (now >= this.freshUntil) void this.refresh(now, false);
    return this.fetchedAt === undefined ? undefined : this.select(kid, alg);
  }

  /**
   * The fetch a request that found no key here may wait for: the one in flight, else a new one
   * when allowed (an empty set: unless a failed fetch is being backed off; an unknown `kid`:
   * unless within the cooldown), else none.
   */
  private fetchFor(kid: string | undefined, now: number): Promise<void> | undefined {
    if (this.fetchedAt === undefined) return this.refresh(now, false);
    // A token without kid is checked against every held key: a refetch would add nothing.
    if (kid === undefined) return undefined;
    return this.refresh(now, true);
  }

  private select(kid: string | undefined, alg: string): VerificationKey[] {
    const out: VerificationKey[] = [];
    if (kid !== undefined) {
      const named = this.byKid.get(kid);
      if (named && named.alg === alg) out.push(named);
    } else {
      for (const key of this.byKid.values()) if (key.alg === alg) out.push(key);
    }
    for (const key of this.unnamed) if (key.alg === alg) out.push(key);
    return out;
  }

  private dropKeys(): void {
    this.byKid = new Map();
    this.unnamed = [];
    this.fetchedAt = undefined;
    this.freshUntil = 0;
  }

  /**
   * The fetch in flight, or a new one. Fetches for unknown `kid`s are limited by the cooldown;
   * others, after a failure, by a backoff. The promise never rejects.
   */
  private refresh(now: number, forUnknownKid: boolean): Promise<void> | undefined {
    if (this.inflight !== undefined) {
      if (forUnknownKid) this.inflightForUnknownKid = true;
      return this.inflight;
    }
    if (forUnknownKid ? now - this.unknownKidFetchEnded < this.cooldownMs : now < this.retryAt)
      return undefined;
    this.inflightForUnknownKid = forUnknownKid;
    const inflight = this.fetchKeys()
      .then(
        () => {
          this.retryDelay = FIRST_RETRY_MS;
          this.retryAt = 0;
          this.lastError = undefined;
        },
        (err: unknown) => {
          this.lastError = err instanceof Error ? err.message : String(err);
          this.retryAt = Date.now() + this.retryDelay;
          this.retryDelay = Math.min(
            this.retryDelay * 2,
            Math.max(this.cooldownMs, FIRST_RETRY_MS),
          );
        },
      )
      .finally(() => {
        if (this.inflightForUnknownKid) this.unknownKidFetchEnded = Date.now();
        this.inflight = undefined;
        this.inflightForUnknownKid = false;
      });
    this.inflight = inflight;
    return inflight;
  }

  private async fetchKeys(): Promise<void> {
    this.fetchCount++;
    const controller = new AbortController();
    const { signal } = controller;
    const timer = setTimeout(
      () => controller.abort(new Error(`timed out after ${this.timeout} ms`)),
      this.timeout,
    );
    timer.unref();
    try {
      const request = Promise.resolve().then(() =>
        this.fetchImpl(this.url, {
          headers: { accept: 'application/json' },
          signal,
          redirect: 'error',
        }),
      );
      // A fetch that ignores the signal must not hold the key set either; its late answer is
      // let go of.
      const response = await Promise.race([request, rejectOnAbort(signal)]).catch((err) => {
        if (signal.aborted) void request.then(discardBody, () => undefined);
        throw err;
      });
      if (!response.ok) {
        discardBody(response);
        throw new Error(`HTTP ${response.status}`);
      }
      const keys = parseKeySet(await readBoundedBody(response, this.maxBytes, signal));
      const fetchedAt = Date.now();
      this.byKid = keys.byKid;
      this.unnamed = keys.unnamed;
      this.fetchedAt = fetchedAt;
      this.freshUntil = fetchedAt + freshness(response.headers.get('cache-control'), this.maxAgeMs);
    } catch (err) {
      // An aborted fetch rejects with an opaque error; the abort reason says what happened.
      throw signal.aborted ? (signal.reason as Error) : withCause(err);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The usable keys of a key-set document; keys this suite cannot use are skipped. */
function parseKeySet(body: Buffer): {
  byKid: Map<string, VerificationKey>;
  unnamed: VerificationKey[];
} {
  let document: unknown;
  try {
    document = JSON.parse(body.toString('utf8'));
  } catch {
    throw new Error('key set is not JSON');
  }
  const list = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list)) throw new Error('key set has no "keys" array');
  const byKid = new Map<string, VerificationKey>();
  const unnamed: VerificationKey[] = [];
  for (const jwk of list) {
    // Keys this suite cannot use (other curves, encryption keys) are skipped, not fatal.
    let key: VerificationKey;
    try {
      key = importVerificationKey(jwk as JsonWebKey);
    } catch (err) {
      if (err instanceof KeyImportError) continue;
      throw err;
    }
    if (key.kid === undefined) unnamed.push(key);
    else if (!byKid.has(key.kid)) byKid.set(key.kid, key);
  }
  if (byKid.size === 0 && unnamed.length === 0)
    throw new Error('key set holds no usable ES256 or RS256 key');
  return { byKid, unnamed };
}

/** `keys` followed by those of `more` that it does not hold yet (the same key from two sets). */
function withoutRepeats(keys: VerificationKey[], more: VerificationKey[]): VerificationKey[] {
  if (keys.length === 0) return more;
  const out = keys.slice();
  for (const key of more)
    if (!out.some((k) => k.alg === key.alg && k.key.equals(key.key))) out.push(key);
  return out;
}

/** Resolves once `found()` holds after one of the fetches ended, or when all have ended. */
function untilFound(fetches: Array<Promise<void>>, found: () => boolean): Promise<void> {
  if (fetches.length === 1) return fetches[0]!;
  return new Promise((resolve) => {
    let pending = fetches.length;
    for (const fetching of fetches)
      void fetching.then(() => {
        if (--pending === 0 || found()) resolve();
      });
  });
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
}

/** `fetch failed` says little: the cause (`ECONNREFUSED`, ...) says what happened. */
function withCause(err: unknown): Error {
  if (!(err instanceof Error)) return new Error(String(err));
  return err.cause instanceof Error ? new Error(`${err.message} (${err.cause.message})`) : err;
}

function freshness(cacheControl: string | null, fallbackMs: number): number {
  const match = cacheControl ? /(?:^|,)\s*max-age\s*=\s*(\d+)/i.exec(cacheControl) : null;
  if (!match) return fallbackMs;
  // Never refetch more often than every 10 s, whatever the server says.
  return Math.max(Number(match[1]) * 1000, 10_000);
}
