import { median, medianInterval } from '../harness/measure.js';
import type { CacheMemoryResult } from '../memory/cache-memory.js';
import {
  addedCpuRatiosByRound,
  addedUsByRound,
  cpuRatiosByRound,
  rpsRatiosByRound,
  type HttpResult,
} from '../http/run-http.js';
import type { MicroResult } from '../micro/run-micro.js';
import type { OffThreadResult } from '../offthread/off-thread-designs.js';
import type { BenchVariant } from '../http/http-config.js';

/** One target of issue 8, judged on ratios measured in the same run. */
export interface TargetResult {
  target: string;
  measured: string;
  /** Undefined when its cases did not run; `'reported'` for a figure with no target. */
  pass: boolean | undefined | 'reported';
}

function microRatio(micro: MicroResult[], id: string): number | undefined {
  return micro.find((m) => m.case.id === id)?.ratio;
}

function judgeable(memory: CacheMemoryResult): boolean {
  return memory.points[memory.points.length - 1]!.tokens >= 20 * memory.cacheMax;
}

function usable(http: HttpResult[], id: string): HttpResult | undefined {
  const r = http.find((h) => h.case.id === id);
  return r && r.non2xx === 0 && r.errors === 0 ? r : undefined;
}

function atMost(target: string, ratio: number | undefined, limit: number): TargetResult {
  return {
    target,
    measured: ratio === undefined ? 'not run' : `${ratio.toFixed(2)}x`,
    pass: ratio === undefined ? undefined : ratio <= limit,
  };
}

/** What a paired HTTP figure is judged against: its median over the rounds must pass it. */
type Limit =
  { atLeast: number } | { atMost: number } | { above: number } | { below: number } | 'reported';

function limitValue(limit: Limit): number | undefined {
  if (limit === 'reported') return undefined;
  if ('atLeast' in limit) return limit.atLeast;
  if ('atMost' in limit) return limit.atMost;
  return 'above' in limit ? limit.above : limit.below;
}

function passes(value: number, limit: Limit): boolean | 'reported' {
  if (limit === 'reported') return limit;
  if ('atLeast' in limit) return value >= limit.atLeast;
  if ('atMost' in limit) return value <= limit.atMost;
  return 'above' in limit ? value > limit.above : value < limit.below;
}

/**
 * A figure measured round by round (HTTP), judged by its median over the rounds, and shown with
 * a 95 % interval for that median ({@link medianInterval}): when the limit falls inside the
 * interval, the run says so, since its pass or fail could have gone the other way.
 */
function judgeRounds(
  target: string,
  rounds: number[],
  limit: Limit,
  shown: (median: number) => string = (m) => `${m.toFixed(2)}x`,
): TargetResult {
  const value = median(rounds);
  const { low, high, coverage } = medianInterval(rounds);
  const at = limitValue(limit);
  const undecided = at !== undefined && low <= at && at <= high;
  return {
    target,
    measured: `${shown(value)}; ${(100 * coverage).toFixed(0)} % interval over ${rounds.length} rounds ${low.toFixed(2)}–${high.toFixed(2)}${undecided ? ', which holds the limit: not decided by this run' : ''}`,
    pass: passes(value, limit),
  };
}

function ahead(target: string, http: HttpResult[], oursId: string, theirsId: string): TargetResult {
  const ours = usable(http, oursId);
  const theirs = usable(http, theirsId);
  if (!ours || !theirs) return { target, measured: 'not run', pass: undefined };
  return judgeRounds(
    target,
    rpsRatiosByRound(ours, theirs),
    { above: 1 },
    (ratio) =>
      `${ours.medianRps.toFixed(0)} vs ${theirs.medianRps.toFixed(0)} req/s (${ratio.toFixed(2)}x, paired by round)`,
  );
}

/** Requests/s of an HTTP case against its baseline (the bare framework), paired by round. */
function ofBaseline(target: string, http: HttpResult[], id: string, limit: Limit): TargetResult {
  const ours = usable(http, id);
  const base = ours?.case.baseline === undefined ? undefined : usable(http, ours.case.baseline);
  if (!ours || !base) return { target, measured: 'not run', pass: undefined };
  return judgeRounds(target, rpsRatiosByRound(ours, base), limit, (ratio) => ratio.toFixed(2));
}

/**
 * What one variant of the variants server adds to another (the same middleware with nothing
 * more), in µs per request: the median over rounds of the difference of their median spans,
 * every variant in the same process, requests interleaved. Judged against `limit`, or only
 * reported when it is undefined.
 */
function addedUs(
  target: string,
  http: HttpResult[],
  caseId: string,
  variant: BenchVariant,
  limit?: number,
): TargetResult {
  const result = usable(http, caseId);
  const ours = result?.roundMiddlewareUs[variant];
  const none = result?.roundMiddlewareUs.none;
  if (!ours || !none || ours.length !== none.length)
    return { target, measured: 'not run', pass: undefined };
  return judgeRounds(
    target,
    addedUsByRound(ours, none),
    limit === undefined ? 'reported' : { below: limit },
    (added) =>
      `${added.toFixed(2)} µs per request (median span ${median(ours).toFixed(1)} vs ${median(none).toFixed(1)} µs)`,
  );
}

/** Two HTTP cases against each other, figure by figure of each round (`bare` is bare Express). */
function versus(
  target: string,
  http: HttpResult[],
  oursId: string,
  theirsId: string,
  byRound: (ours: HttpResult, theirs: HttpResult, bare: HttpResult) => number[],
  limit: Limit,
): TargetResult {
  const ours = usable(http, oursId);
  const theirs = usable(http, theirsId);
  const bare = usable(http, 'http.express');
  if (!ours || !theirs || !bare) return { target, measured: 'not run', pass: undefined };
  return judgeRounds(target, byRound(ours, theirs, bare), limit);
}

/**
 * Judges every target of the issue. A target whose cases did not run (or had failed requests) is
 * neither passed nor failed.
 *
 * @example
 * ```ts
 * for (const t of judgeTargets(micro, http, memory)) console.log(t.target, t.pass);
 * ```
 */
export function judgeTargets(
  micro: MicroResult[],
  http: HttpResult[],
  memory: CacheMemoryResult | undefined,
  offThread: OffThreadResult[] = [],
): TargetResult[] {
  const batched = offThread.find((o) => o.id === 'worker-batched' && o.inFlight === 16);
  const es = 'http.express.pomerium.es256';
  return [
    atMost(
      'ES256 first sight: core authenticate within 1.25x of node:crypto verify',
      microRatio(micro, 'es256.core.authenticate'),
      1.25,
    ),
    atMost(
      "Off-thread: core's worker pool, CPU per verification within 1.3x of the main thread's (16 in flight)",
      batched?.cpuRatio,
      1.3,
    ),
    atMost(
      'HS256 first sight: core authenticate within 3x of the HMAC floor',
      microRatio(micro, 'hs256.core.authenticate.fresh'),
      3,
    ),
    atMost(
      'HS256 repeated: core authenticate within 1.5x of the HMAC floor',
      microRatio(micro, 'hs256-repeat.core.authenticate'),
      1.5,
    ),
    ofBaseline(
      'HTTP: Express + pomeriumAuth, fresh ES256 ≥ 0.6 of bare Express',
      http,
      'http.express.pomerium.es256',
      { atLeast: 0.6 },
    ),
    versus(
      'HTTP, auto mode: requests/s at least 1.2x express-oauth2-jwt-bearer (fresh ES256)',
      http,
      es,
      'http.express.oauth2-jwt-bearer',
      rpsRatiosByRound,
      { atLeast: 1.2 },
    ),
    versus(
      "HTTP (reported): the off-thread floor (core's worker pool checks the signature, nothing else), requests/s against express-oauth2-jwt-bearer's: what the 1.2x above leaves for the rest of the middleware",
      http,
      'http.express.worker-pool-only',
      'http.express.oauth2-jwt-bearer',
      rpsRatiosByRound,
      'reported',
    ),
    versus(
      "HTTP, auto mode: server CPU per request at most express-oauth2-jwt-bearer's",
      http,
      es,
      'http.express.oauth2-jwt-bearer',
      cpuRatiosByRound,
      { atMost: 1 },
    ),
    versus(
      "HTTP, main-thread: CPU added to bare Express per request within 1.15x of the crypto.verify floor's",
      http,
      'http.express.pomerium.es256.main-thread',
      'http.express.crypto-verify',
      addedCpuRatiosByRound,
      { atMost: 1.15 },
    ),
    versus(
      'HTTP (extra, not an issue target): main-thread, CPU added per request within 1.15x of the floor that also sets req.pomerium and req.user',
      http,
      'http.express.pomerium.es256.main-thread',
      'http.express.crypto-verify.identity',
      addedCpuRatiosByRound,
      { atMost: 1.15 },
    ),
    versus(
      "HTTP, worker-threads: CPU added to bare Express per request within 1.3x of main-thread's",
      http,
      'http.express.pomerium.es256.worker-threads',
      'http.express.pomerium.es256.main-thread',
      addedCpuRatiosByRound,
      { atMost: 1.3 },
    ),
    addedUs(
      'HTTP (reported): A/A, the same middleware under two variant names, what the policy line would show if nothing differed',
      http,
      'http.express.pomerium.es256.policy-variants',
      'again',
    ),
    addedUs(
      'HTTP: a three-rule policy adds under 3 µs per request (Express, fresh ES256, main-thread, against the same without, per request in one server)',
      http,
      'http.express.pomerium.es256.policy-variants',
      'policy',
      3,
    ),
    addedUs(
      'HTTP (reported): audit to pino on an asynchronous file destination, µs added per request (the same way)',
      http,
      'http.express.pomerium.es256.audit-variants',
      'pino',
    ),
    ofBaseline(
      'HTTP: Express + pomeriumAuth, repeated service account ≥ 0.9 of bare Express',
      http,
      'http.express.pomerium.sa',
      { atLeast: 0.9 },
    ),
    ahead(
      'HTTP: pomeriumAuth ahead of express-jwt (fresh ES256)',
      http,
      es,
      'http.express.express-jwt',
    ),
    ahead(
      'HTTP: pomeriumAuth ahead of express-oauth2-jwt-bearer (fresh ES256)',
      http,
      es,
      'http.express.oauth2-jwt-bearer',
    ),
    ahead(
      'HTTP: pomeriumAuth ahead of passport-jwt (fresh ES256)',
      http,
      es,
      'http.express.passport-jwt',
    ),
    ahead(
      'HTTP: Koa pomeriumAuth ahead of koa-jwt (fresh ES256)',
      http,
      'http.koa.pomerium.es256',
      'http.koa.koa-jwt',
    ),
    ahead(
      'HTTP (extra, not an issue target): Fastify pomeriumAuth ahead of @fastify/jwt (fresh ES256)',
      http,
      'http.fastify.pomerium.es256',
      'http.fastify.fastify-jwt',
    ),
    ahead(
      'HTTP (extra, not an issue target): Hono pomeriumAuth ahead of hono/jwk (fresh ES256)',
      http,
      'http.hono.pomerium.es256',
      'http.hono.jwk',
    ),
    memory
      ? {
          target: `Cache memory bounded by cache.max (${memory.cacheMax} entries, ${memory.points[memory.points.length - 1]!.tokens} tokens)`,
          measured: `${memory.bytesPerEntry.toFixed(0)} B/entry; ${(memory.growthAfterFull / 1024).toFixed(0)} KiB growth over the last 3/4 of the run${judgeable(memory) ? '' : ' (too few tokens to judge: needs 20 x cache.max)'}`,
          // The queue and the Map settle only after a few turns of the cache: a shorter run shows their slack, not a leak.
          pass: judgeable(memory) ? memory.bounded : undefined,
        }
      : { target: 'Cache memory bounded by cache.max', measured: 'not run', pass: undefined },
  ];
}
