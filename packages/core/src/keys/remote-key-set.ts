import type { JsonWebKey } from 'node:crypto';
import { InvalidTokenError, TemporarilyUnavailableError } from '../errors.js';
import type { JwksOptions } from '../options.js';
import { importVerificationKey, KeyImportError, type VerificationKey } from './verification-key.js';

const DEFAULTS = { timeout: 5000, cooldown: 30, maxAge: 300, maxStale: 86_400 };
/** First retry delay after a failed fetch; doubles up to the cooldown. */
const FIRST_RETRY_MS = 1000;
/** A key-set document larger than this is refused. */
const MAX_DOCUMENT_BYTES = 1 << 20;

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
 * (`Cache-Control: max-age`, else `maxAge`) in the background, or at once for an unknown `kid`,
 * but never more than once per `cooldown` for unknown `kid`s, so random `kid`s cannot cause a
 * refetch storm. A failed fetch keeps the old keys (up to `maxStale`); with no key at all the
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
  private readonly fetchImpl: typeof fetch;
  private byKid = new Map<string, VerificationKey>();
  private unnamed: VerificationKey[] = [];
  private fetchedAt: number | undefined;
  private freshUntil = 0;
  private lastUnknownKidFetch = -Infinity;
  private retryAt = 0;
  private retryDelay = FIRST_RETRY_MS;
  private inflight: Promise<void> | undefined;
  private fetchCount = 0;
  private lastError: string | undefined;

  constructor(url: string | URL, options: JwksOptions = {}) {
    this.url = new URL(url);
    this.timeout = options.timeout ?? DEFAULTS.timeout;
    this.cooldownMs = (options.cooldown ?? DEFAULTS.cooldown) * 1000;
    this.maxAgeMs = (options.maxAge ?? DEFAULTS.maxAge) * 1000;
    this.maxStaleMs = (options.maxStale ?? DEFAULTS.maxStale) * 1000;
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
    const now = Date.now();
    if (this.fetchedAt === undefined || now - this.fetchedAt > this.maxStaleMs)
      return this.keysAfterFirstFetch(kid, alg, now);
    // Stale but usable: refresh in the background, keep answering with what we have.
    if (now >= this.freshUntil) void this.refresh(now, false);
    const found = this.select(kid, alg);
    if (found.length > 0) return found;
    // An unknown kid may be a rotated key: refetch, but at most once per cooldown.
    if (kid !== undefined && now - this.lastUnknownKidFetch >= this.cooldownMs) {
      this.lastUnknownKidFetch = now;
      return this.refresh(now, true).then(() => this.selectOrThrow(kid, alg));
    }
    return this.selectOrThrow(kid, alg);
  }

  private async keysAfterFirstFetch(
    kid: string | undefined,
    alg: string,
    now: number,
  ): Promise<VerificationKey[]> {
    // Nothing usable yet (or far too old): this request has to wait for a fetch, which is as
    // fresh as an unknown-kid refetch would be.
    if (this.fetchedAt !== undefined) this.dropKeys();
    await this.refresh(now, true);
    if (this.fetchedAt === undefined) {
      throw new TemporarilyUnavailableError(
        'keys_unavailable',
        `key set ${this.url.href}: ${this.lastError ?? 'unavailable'}`,
      );
    }
    return this.selectOrThrow(kid, alg);
  }

  private selectOrThrow(kid: string | undefined, alg: string): VerificationKey[] {
    const found = this.select(kid, alg);
    if (found.length === 0)
      throw new InvalidTokenError(
        'unknown_key',
        kid === undefined
          ? `no ${alg} key without kid`
          : `no ${alg} key with kid ${JSON.stringify(kid)}`,
      );
    return found;
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
  }

  /** One fetch at a time; failed fetches are retried with a backoff, not on every request. */
  private refresh(now: number, urgent: boolean): Promise<void> {
    if (this.inflight) return this.inflight;
    if (now < this.retryAt && !(urgent && this.fetchedAt !== undefined)) return Promise.resolve();
    this.inflight = this.fetchKeys()
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
        this.inflight = undefined;
      });
    return this.inflight;
  }

  private async fetchKeys(): Promise<void> {
    this.fetchCount++;
    const response = await this.fetchImpl(this.url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(this.timeout),
      redirect: 'error',
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const text = await response.text();
    if (text.length > MAX_DOCUMENT_BYTES) throw new Error('key set document too large');
    let document: unknown;
    try {
      document = JSON.parse(text);
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
    const fetchedAt = Date.now();
    this.byKid = byKid;
    this.unnamed = unnamed;
    this.fetchedAt = fetchedAt;
    this.freshUntil = fetchedAt + freshness(response.headers.get('cache-control'), this.maxAgeMs);
  }
}

function freshness(cacheControl: string | null, fallbackMs: number): number {
  const match = cacheControl ? /(?:^|,)\s*max-age\s*=\s*(\d+)/i.exec(cacheControl) : null;
  if (!match) return fallbackMs;
  // Never refetch more often than every 10 s, whatever the server says.
  return Math.max(Number(match[1]) * 1000, 10_000);
}
