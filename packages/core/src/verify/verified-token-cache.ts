interface Entry<T> {
  /** The whole token: a hit must match it byte for byte. */
  token: string;
  value: T;
  /** Milliseconds since the epoch at which the entry runs out. */
  until: number;
  /** Its insertion number: tells the entry from an older, since-deleted one under the same token. */
  seq: number;
}

/** What the map is indexed by: the signature segment (after the second dot) when it is long enough to tell tokens apart, else the whole token. */
function indexKey(token: string): string {
  // The second dot (a compact JWS has two), found with indexOf: on Node 20 lastIndexOf is a call
  // into the runtime, indexOf a fast builtin.
  const first = token.indexOf('.');
  const dot = first < 0 ? -1 : token.indexOf('.', first + 1);
  return dot >= 0 && token.length - dot > MIN_INDEX_LENGTH ? token.slice(dot + 1) : token;
}
const MIN_INDEX_LENGTH = 22;

/** FNV-1a over the UTF-16 code units of `text`: 32 bits to tell tokens apart in the doorkeeper. */
function fingerprint(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash;
}

/**
 * A bounded cache of verified tokens. Service-account tokens are long-lived and sent again and
 * again; a hit skips signature verification and record lookups. Rules: the key is the whole
 * token (every byte, signature included); an entry never outlives the moment it is stored
 * with (the token's `exp`, or sooner when `maxTokenAge` ends it) nor `maxAge` (the bound on how
 * long a revoked account may still pass); failures are never
 * stored; the oldest entry goes first when the cache is full.
 *
 * The map is indexed by the token's signature segment, which is short and, among tokens that
 * verify, unique; a hit still requires the whole token to be equal. (A forged token that copies
 * a cached token's signature is a miss, and goes on to fail verification.) A lookup hashes the
 * 43 characters of an HS256 signature instead of the whole token (about 200).
 *
 * {@link VerifiedTokenCache.offer} admits a token on its second verification only (a doorkeeper,
 * as in TinyLFU): a token seen once is not stored, so a stream of one-time tokens costs no
 * entries, no evictions of tokens in use, and no garbage-collector work for retained entries.
 * The doorkeeper is a table of 32-bit fingerprints, one slot per entry the cache can hold
 * rounded up to a power of two, at most 2^20 (4 bytes each: 64 KiB for the default 10 000).
 *
 * Insertion order lives in a queue beside the `Map`, so evicting the oldest entry takes constant
 * time (amortised). Taking it from the `Map`'s own iteration order does not: V8 leaves a hole for
 * every deleted entry until the table is rebuilt, and `keys().next()` walks over all of them
 * (bench/README.md, "What dominates per-request cost", has the two measured).
 *
 * @example
 * ```ts
 * const cache = new VerifiedTokenCache<Principal>({ max: 10_000, maxAge: 60 });
 * cache.set(token, principal, expSeconds);
 * cache.get(token);
 * ```
 */
export class VerifiedTokenCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  /**
   * Index keys in insertion order from `head` on, each with its insertion number. An item whose
   * entry has since expired (or was stored again after expiring) is stale and skipped.
   */
  private queue: (string | undefined)[] = [];
  private queueSeq: number[] = [];
  private head = 0;
  private seq = 0;
  /** Fingerprints of tokens offered once and not yet stored (0: empty). */
  private readonly seenOnce: Int32Array;
  readonly max: number;
  readonly maxAgeMs: number;

  constructor(options: { max: number; maxAge: number }) {
    this.max = options.max;
    this.maxAgeMs = options.maxAge * 1000;
    this.seenOnce = new Int32Array(
      2 ** Math.min(20, Math.ceil(Math.log2(Math.max(options.max, 64)))),
    );
  }

  /**
   * Offers a verified token: stores it (as {@link VerifiedTokenCache.set}) if it was offered
   * before, else only remembers its fingerprint. Returns whether it was stored. A fingerprint
   * slot may be taken over by another token before the second offer; that token then waits for
   * a third. Two tokens with the same 32-bit fingerprint in the same slot let the second in at
   * its first offer: harmless, since only verified tokens are offered.
   */
  offer(token: string, value: T, expSeconds: number | undefined, now = Date.now()): boolean {
    const key = indexKey(token);
    const hash = fingerprint(key);
    const slot = hash & (this.seenOnce.length - 1);
    const tag = hash | 1; // never 0, the empty slot
    if (this.seenOnce[slot] !== tag) {
      this.seenOnce[slot] = tag;
      return false;
    }
    this.seenOnce[slot] = 0;
    this.store(key, token, value, expSeconds, now);
    return true;
  }

  /** The cached value, if the entry exists and has not run out. */
  get(token: string, now = Date.now()): T | undefined {
    const key = indexKey(token);
    const entry = this.entries.get(key);
    if (entry === undefined || entry.token !== token) return undefined;
    if (now >= entry.until) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /**
   * Stores a verified token until `expSeconds` (if any: the moment in seconds its verification
   * ends, its `exp` or sooner) or `maxAge`, whichever comes first.
   */
  set(token: string, value: T, expSeconds: number | undefined, now = Date.now()): void {
    this.store(indexKey(token), token, value, expSeconds, now);
  }

  /** {@link VerifiedTokenCache.set} with the token's index key already worked out. */
  private store(
    key: string,
    token: string,
    value: T,
    expSeconds: number | undefined,
    now: number,
  ): void {
    const until = Math.min(
      now + this.maxAgeMs,
      expSeconds === undefined ? Infinity : expSeconds * 1000,
    );
    if (until <= now) return;
    const known = this.entries.get(key);
    if (known !== undefined && known.token === token) {
      // Stored again (two requests verified it at once): fresher facts, same place in line.
      known.value = value;
      known.until = until;
      return;
    }
    // Another token under the same index (one of the two is forged) is replaced, not kept beside it.
    if (known !== undefined) this.entries.delete(key);
    else if (this.entries.size >= this.max) this.evictOldest();
    const seq = this.seq++;
    this.queue.push(key);
    this.queueSeq.push(seq);
    this.entries.set(key, { token, value, until, seq });
    // Stale items and the consumed front are dropped once they outnumber the bound: amortised O(1).
    if (this.head > this.max || this.queue.length > 2 * this.max) this.compact();
  }

  /** Number of entries held. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Drops every entry whose value `matches` (every entry without a predicate): a revocation
   * takes effect at once instead of when the entries run out. Linear in the entries held.
   */
  invalidate(matches?: (value: T) => boolean): number {
    if (matches === undefined) {
      const size = this.entries.size;
      this.clear();
      return size;
    }
    let dropped = 0;
    for (const [key, entry] of this.entries) {
      if (!matches(entry.value)) continue;
      this.entries.delete(key);
      dropped++;
    }
    return dropped;
  }

  clear(): void {
    this.entries.clear();
    this.seenOnce.fill(0);
    this.queue = [];
    this.queueSeq = [];
    this.head = 0;
  }

  private isLive(key: string | undefined, seq: number): key is string {
    return key !== undefined && this.entries.get(key)?.seq === seq;
  }

  private evictOldest(): void {
    while (this.head < this.queue.length) {
      const at = this.head++;
      const key = this.queue[at];
      this.queue[at] = undefined;
      if (this.isLive(key, this.queueSeq[at]!)) {
        this.entries.delete(key);
        return;
      }
    }
  }

  private compact(): void {
    const queue: string[] = [];
    const queueSeq: number[] = [];
    for (let at = this.head; at < this.queue.length; at++) {
      const key = this.queue[at];
      if (!this.isLive(key, this.queueSeq[at]!)) continue;
      queue.push(key);
      queueSeq.push(this.queueSeq[at]!);
    }
    this.queue = queue;
    this.queueSeq = queueSeq;
    this.head = 0;
  }
}
