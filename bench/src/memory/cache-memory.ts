import { createPomeriumAuth } from '@pomerium-auth/core';
import { createTestIssuer } from '@pomerium-auth/testing';
import { collectGarbage } from '../harness/measure.js';

/** Memory after a number of distinct tokens went through the verified-token cache. */
export interface MemoryPoint {
  tokens: number;
  heapUsed: number;
  rss: number;
}

/** The cache-memory benchmark's result. */
export interface CacheMemoryResult {
  cacheMax: number;
  points: MemoryPoint[];
  /** Heap growth per cache entry when the cache first fills. */
  bytesPerEntryFirstFill: number;
  /** Heap growth per cache entry at the end of the run (includes the Map's slack after evictions). */
  bytesPerEntry: number;
  /** Heap growth over the last three quarters of the run (~0 when the cache is bounded). */
  growthAfterFull: number;
  /** True when the heap stopped growing once the cache was full. */
  bounded: boolean;
}

function snapshot(tokens: number): MemoryPoint {
  collectGarbage();
  collectGarbage();
  const m = process.memoryUsage();
  return { tokens, heapUsed: m.heapUsed, rss: m.rss };
}

/**
 * Sends `total` distinct service-account tokens, each twice (so each is stored), through one
 * authenticator whose cache holds `cacheMax` entries, and samples heap and RSS (after a full GC) along the way. Tokens are
 * minted in batches and dropped, so the only thing that can keep growing is the cache.
 *
 * @example
 * ```ts
 * const result = await measureCacheMemory(1_000_000, 10_000);
 * ```
 */
export async function measureCacheMemory(
  total: number,
  cacheMax: number,
): Promise<CacheMemoryResult> {
  const issuer = await createTestIssuer();
  const auth = createPomeriumAuth({
    sharedSecret: issuer.sharedSecret,
    env: false,
    cache: { max: cacheMax, maxAge: 3600 },
  });
  const marks = new Set(
    [cacheMax, 2 * cacheMax, Math.floor(total / 4), Math.floor(total / 2), total].filter(
      (n) => n > 0 && n <= total,
    ),
  );
  // Mint one batch before the baseline, so the baseline already holds a batch's worth of garbage-to-be.
  const batch = Math.min(10_000, cacheMax);
  const mint = (from: number): string[] => {
    const headers: string[] = [];
    for (let i = from; i < from + batch && i < total; i++)
      headers.push(
        `Pomerium ${issuer.mintServiceAccountToken({ id: `sa-${i}`, userId: `bot-${i}` })}`,
      );
    return headers;
  };
  let next = mint(0);
  const points = [snapshot(0)];
  for (let done = 0; done < total;) {
    const headers = next;
    for (const authorization of headers) {
      // Twice: the cache stores a token at its second verification (its doorkeeper).
      await auth.authenticate({ method: 'GET', url: '/', headers: { authorization } });
      await auth.authenticate({ method: 'GET', url: '/', headers: { authorization } });
      done++;
      if (marks.has(done)) points.push(snapshot(done));
    }
    next = mint(done);
  }
  await issuer.close();
  const base = points[0]!.heapUsed;
  const atFull = points.find((p) => p.tokens === cacheMax) ?? points[points.length - 1]!;
  // The Map keeps evicted slots until it rehashes, so the heap settles a little above the first
  // fill; from a quarter of the run on it must stay flat.
  const quarter = points.find((p) => p.tokens === Math.floor(total / 4)) ?? atFull;
  const settled = quarter.tokens >= 2 * cacheMax ? quarter : atFull;
  const last = points[points.length - 1]!;
  const growthAfterFull = last.heapUsed - settled.heapUsed;
  return {
    cacheMax,
    points,
    bytesPerEntryFirstFill: (atFull.heapUsed - base) / cacheMax,
    bytesPerEntry: (last.heapUsed - base) / cacheMax,
    growthAfterFull,
    // Bounded: once settled, the heap grows by less than a tenth of what the cache itself holds.
    bounded: growthAfterFull < 0.1 * Math.max(settled.heapUsed - base, 1),
  };
}

// Run as a child process (its own heap): `node dist/memory/cache-memory.js <total> <cacheMax>`.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/.*\//, '/'))) {
  const total = Number(process.argv[2] ?? 1_000_000);
  const cacheMax = Number(process.argv[3] ?? 10_000);
  const result = await measureCacheMemory(total, cacheMax);
  process.stdout.write(JSON.stringify(result));
}
