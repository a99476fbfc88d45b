/**
 * A bounded cache of verified tokens. Service-account tokens are long-lived and sent again and
 * again; a hit skips signature verification and record lookups. Rules: the key is the whole
 * token (every byte, signature included); an entry never outlives the token's `exp` nor
 * `maxAge` (the bound on how long a revoked account may still pass); failures are never
 * stored; the oldest entry goes first when the cache is full.
 *
 * @example
 * ```ts
 * const cache = new VerifiedTokenCache<Principal>({ max: 10_000, maxAge: 60 });
 * cache.set(token, principal, expSeconds);
 * cache.get(token);
 * ```
 */
export class VerifiedTokenCache<T> {
  private readonly entries = new Map<string, { value: T; until: number }>();
  readonly max: number;
  readonly maxAgeMs: number;

  constructor(options: { max: number; maxAge: number }) {
    this.max = options.max;
    this.maxAgeMs = options.maxAge * 1000;
  }

  /** The cached value, if the entry exists and has not run out. */
  get(token: string, now = Date.now()): T | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (now >= entry.until) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.value;
  }

  /** Stores a verified token until `expSeconds` (if any) or `maxAge`, whichever comes first. */
  set(token: string, value: T, expSeconds: number | undefined, now = Date.now()): void {
    const until = Math.min(now + this.maxAgeMs, expSeconds === undefined ? Infinity : expSeconds * 1000);
    if (until <= now) return;
    if (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(token, { value, until });
  }

  /** Number of entries held. */
  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}
