import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** One function under measurement: called with the iteration index, so it can pick a fresh token. */
export type Operation = (i: number) => unknown;

/** How much to run: a warm-up, then `samples` timed runs of `iterations` calls each. */
export interface MeasureOptions {
  warmup: number;
  samples: number;
  iterations: number;
  /** True when the operation returns a promise that the caller awaits (as `authenticate` is used). */
  awaited: boolean;
}

/** Nanoseconds per operation of each sample, and their summary. */
export interface Measurement {
  /** By the chosen clock (`BENCH_CLOCK`, wall by default). */
  perOpNs: number[];
  /** By the process's CPU time, read at the same moments: every thread, V8's helpers included. */
  cpuPerOpNs: number[];
  medianNs: number;
  minNs: number;
  maxNs: number;
  /** Interquartile range as a share of the median. */
  iqr: number;
  opsPerSecond: number;
}

let collect: ((options?: { type: 'major' | 'minor' }) => void) | undefined;

/** A garbage collection: `major` (the whole heap, the default) or `minor` (the young generation only). */
export function collectGarbage(type: 'major' | 'minor' = 'major'): void {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as typeof collect;
  }
  // A full collection is `gc()` with no options: V8's most thorough one (all available garbage).
  if (type === 'major') collect!();
  else collect!({ type });
}

/**
 * What runs before each timed sample, so that one sample does not pay for another's garbage
 * (`BENCH_GC`). `minor` (the default): a scavenge empties the young generation, where a call's
 * garbage lives. `major`: a full collection; it also resets the heap (the young generation
 * shrinks back, memory is handed back to the system), so the sample after it pays page faults,
 * concurrent sweeping and a regrowing young generation: measured on Node 20, that made an
 * HS256 floor sample ~2x slower and penalised allocating code more than the floor. `none`: the
 * heap as the previous sample left it.
 */
export type SampleGc = 'minor' | 'major' | 'none';

function sampleGc(): SampleGc {
  const value = process.env.BENCH_GC ?? 'minor';
  if (value !== 'minor' && value !== 'major' && value !== 'none')
    throw new Error(`BENCH_GC must be minor, major or none, not ${JSON.stringify(value)}`);
  return value;
}

/** The collection chosen by `BENCH_GC`, run before a sample. */
export function collectBeforeSample(): void {
  const gc = sampleGc();
  if (gc !== 'none') collectGarbage(gc);
}

/** The `BENCH_GC` setting in use, for the report. */
export function currentSampleGc(): SampleGc {
  return sampleGc();
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Summarises per-operation times (ns) of several samples (by the chosen clock, and by CPU time). */
export function summarise(perOpNs: number[], cpuPerOpNs: number[] = perOpNs): Measurement {
  const sorted = [...perOpNs].sort((a, b) => a - b);
  const medianNs = quantile(sorted, 0.5);
  return {
    perOpNs,
    cpuPerOpNs,
    medianNs,
    minNs: sorted[0]!,
    maxNs: sorted[sorted.length - 1]!,
    iqr: (quantile(sorted, 0.75) - quantile(sorted, 0.25)) / medianNs,
    opsPerSecond: 1e9 / medianNs,
  };
}

/**
 * The ratio of a case to its baseline, sample by sample: the median of `case[s] / baseline[s]`
 * over the samples `s` taken in the same round of {@link measureInterleaved}. A round's two
 * samples run back to back, under the same machine load; pairing them keeps a slow second of
 * the machine from moving one side of the ratio only (a ratio of two medians can).
 *
 * @example
 * ```ts
 * pairedRatio(core, floor); // 1.12
 * ```
 */
export function pairedRatio(
  measured: Measurement,
  baseline: Measurement,
  by: 'clock' | 'cpu' = 'clock',
): number {
  return by === 'cpu'
    ? median(ratiosByRound(measured.cpuPerOpNs, baseline.cpuPerOpNs))
    : median(ratiosByRound(measured.perOpNs, baseline.perOpNs));
}

/** The median of `values`. */
export function median(values: number[]): number {
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

/**
 * `ours[r] / theirs[r]` for each round `r` of two series measured round by round: the pairing
 * behind {@link pairedRatio} and the HTTP ratios.
 */
export function ratiosByRound(ours: number[], theirs: number[]): number[] {
  return ours.map((value, r) => value / theirs[r]!);
}

/** An interval that holds the median of what was sampled, and how sure that is. */
export interface MedianInterval {
  low: number;
  high: number;
  /** The chance that the interval holds the true median: 0.95 or more when there are 6 samples or more. */
  coverage: number;
}

/**
 * A 95 % interval for the median of the distribution `values` were drawn from, assuming
 * nothing of its shape: the `k`-th lowest and the `k`-th highest value, `k` the largest rank at
 * which the chance that fewer than `k` values fall below the median (a binomial count with
 * p = ½) is at most 2.5 % on each side. Ten rounds give the 2nd and 9th (97.9 %); with fewer
 * than 6 values no such pair exists, and the interval is the lowest to the highest value, with
 * its smaller coverage. One run's median of paired ratios moves by as much as these intervals
 * are wide on this machine: a target whose limit falls inside one was not decided by that run.
 *
 * @example
 * ```ts
 * medianInterval([1.02, 1.31, 1.16, 1.2, 1.08, 1.25, 1.11, 1.19, 1.4, 0.97]);
 * // { low: 1.02, high: 1.31, coverage: 0.978515625 }
 * ```
 */
export function medianInterval(values: number[]): MedianInterval {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { low: NaN, high: NaN, coverage: 0 };
  // below(m): the chance that at most m of the n values fall below the median.
  const pmf = [0.5 ** n];
  for (let j = 0; j < n; j++) pmf.push((pmf[j]! * (n - j)) / (j + 1));
  const below = (m: number): number => pmf.slice(0, m + 1).reduce((a, b) => a + b, 0);
  // [k-th lowest, k-th highest] misses the median with chance 2 × below(k − 1).
  let k = 1;
  while (k + 1 <= n - k && below(k) <= 0.025) k++;
  return { low: sorted[k - 1]!, high: sorted[n - k]!, coverage: 1 - 2 * below(k - 1) };
}

// Results land here so that the optimiser cannot drop a synchronous call whose value is unused.
let sink: unknown;

/**
 * Which clock a sample is judged by. `wall` (the default): `process.hrtime.bigint()`, the time
 * the measuring thread spent, which is what "one thread" means. `cpu`: this process's CPU time
 * (`process.cpuUsage`, user + system), which also counts the work of V8's helper threads
 * (parallel scavenging, concurrent marking, background compilation) on the other cores. Both are
 * read for every sample; the table shows the ratio by each.
 */
export type Clock = 'cpu' | 'wall';

let clock: Clock = process.env.BENCH_CLOCK === 'cpu' ? 'cpu' : 'wall';

/** Chooses the clock of the following measurements. */
export function useClock(which: Clock): void {
  clock = which;
}

/** The clock in use. */
export function currentClock(): Clock {
  return clock;
}

function cpuNow(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
}

/** Times `iterations` calls of `op`, starting at index `offset`; returns ns per call by the chosen clock and by CPU time. */
async function timeRun(
  op: Operation,
  iterations: number,
  awaited: boolean,
  offset: number,
): Promise<{ ns: number; cpuNs: number }> {
  const cpuStart = cpuNow();
  const wallStart = process.hrtime.bigint();
  if (awaited) {
    for (let i = 0; i < iterations; i++) sink = await op(offset + i);
  } else {
    for (let i = 0; i < iterations; i++) sink = op(offset + i);
  }
  const wallNs = Number(process.hrtime.bigint() - wallStart) / iterations;
  const cpuNs = (cpuNow() - cpuStart) / iterations;
  return { ns: clock === 'wall' ? wallNs : cpuNs, cpuNs };
}

/** One of several operations measured side by side. */
export interface Contender {
  prepare: () => Operation | Promise<Operation>;
  options: MeasureOptions;
}

/**
 * Measures several operations interleaved: sample 1 of each, then sample 2 of each, and so on.
 * On a shared machine the load changes from second to second; interleaving makes a case and its
 * baseline see the same load, so their ratio holds even when absolute times drift.
 *
 * @example
 * ```ts
 * const [floor, core] = await measureInterleaved([{ prepare: floorOp, options }, { prepare: coreOp, options }]);
 * ```
 */
export async function measureInterleaved(contenders: Contender[]): Promise<Measurement[]> {
  for (const c of contenders)
    await timeRun(await c.prepare(), c.options.warmup, c.options.awaited, 0);
  const perOp: number[][] = contenders.map(() => []);
  const cpuPerOp: number[][] = contenders.map(() => []);
  const samples = Math.max(...contenders.map((c) => c.options.samples));
  for (let s = 0; s < samples; s++) {
    for (const [k, c] of contenders.entries()) {
      if (s >= c.options.samples) continue;
      const op = await c.prepare();
      collectBeforeSample();
      const { ns, cpuNs } = await timeRun(op, c.options.iterations, c.options.awaited, 0);
      perOp[k]!.push(ns);
      cpuPerOp[k]!.push(cpuNs);
    }
  }
  void sink;
  return perOp.map((samples, k) => summarise(samples, cpuPerOp[k]));
}

/**
 * Measures one operation. `prepare` is called before the warm-up and again before every sample,
 * so a case with state (a verified-token cache) starts each sample as it says (empty, or primed)
 * while the code itself stays warm.
 *
 * @example
 * ```ts
 * const m = await measure(() => (i) => verify(tokens[i]), { warmup: 1000, samples: 7, iterations: 1000, awaited: false });
 * console.log(m.medianNs);
 * ```
 */
export async function measure(
  prepare: () => Operation | Promise<Operation>,
  options: MeasureOptions,
): Promise<Measurement> {
  const warm = await prepare();
  await timeRun(warm, options.warmup, options.awaited, 0);
  const perOp: number[] = [];
  const cpuPerOp: number[] = [];
  for (let s = 0; s < options.samples; s++) {
    const op = await prepare();
    collectBeforeSample();
    const { ns, cpuNs } = await timeRun(op, options.iterations, options.awaited, 0);
    perOp.push(ns);
    cpuPerOp.push(cpuNs);
  }
  void sink;
  return summarise(perOp, cpuPerOp);
}
