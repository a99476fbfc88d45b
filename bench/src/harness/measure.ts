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
  perOpNs: number[];
  medianNs: number;
  minNs: number;
  maxNs: number;
  /** Interquartile range as a share of the median. */
  iqr: number;
  opsPerSecond: number;
}

let collect: (() => void) | undefined;

/** A full garbage collection between samples, so one sample does not pay for another's garbage. */
export function collectGarbage(): void {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Summarises per-operation times (ns) of several samples. */
export function summarise(perOpNs: number[]): Measurement {
  const sorted = [...perOpNs].sort((a, b) => a - b);
  const medianNs = quantile(sorted, 0.5);
  return {
    perOpNs,
    medianNs,
    minNs: sorted[0]!,
    maxNs: sorted[sorted.length - 1]!,
    iqr: (quantile(sorted, 0.75) - quantile(sorted, 0.25)) / medianNs,
    opsPerSecond: 1e9 / medianNs,
  };
}

// Results land here so that the optimiser cannot drop a synchronous call whose value is unused.
let sink: unknown;

/**
 * Which clock a sample is read from. `cpu` (the default): this process's CPU time
 * (`process.cpuUsage`, user + system, GC threads included), which other processes on a shared
 * machine do not inflate. `wall`: `process.hrtime.bigint()`, right on an idle machine.
 */
export type Clock = 'cpu' | 'wall';

let clock: Clock = process.env.BENCH_CLOCK === 'wall' ? 'wall' : 'cpu';

/** Chooses the clock of the following measurements. */
export function useClock(which: Clock): void {
  clock = which;
}

/** The clock in use. */
export function currentClock(): Clock {
  return clock;
}

function now(): number {
  if (clock === 'wall') return Number(process.hrtime.bigint());
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
}

/** Times `iterations` calls of `op`, starting at index `offset`; returns ns per call. */
async function timeRun(op: Operation, iterations: number, awaited: boolean, offset: number): Promise<number> {
  const start = now();
  if (awaited) {
    for (let i = 0; i < iterations; i++) sink = await op(offset + i);
  } else {
    for (let i = 0; i < iterations; i++) sink = op(offset + i);
  }
  return (now() - start) / iterations;
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
  for (const c of contenders) await timeRun(await c.prepare(), c.options.warmup, c.options.awaited, 0);
  const perOp: number[][] = contenders.map(() => []);
  const samples = Math.max(...contenders.map((c) => c.options.samples));
  for (let s = 0; s < samples; s++) {
    for (const [k, c] of contenders.entries()) {
      if (s >= c.options.samples) continue;
      const op = await c.prepare();
      // A full GC before each sample makes every sample start alike; BENCH_FORCE_GC=0 leaves the
      // heap as the previous sample left it, as a running server's would be.
      if (process.env.BENCH_FORCE_GC !== '0') collectGarbage();
      perOp[k]!.push(await timeRun(op, c.options.iterations, c.options.awaited, 0));
    }
  }
  void sink;
  return perOp.map(summarise);
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
export async function measure(prepare: () => Operation | Promise<Operation>, options: MeasureOptions): Promise<Measurement> {
  const warm = await prepare();
  await timeRun(warm, options.warmup, options.awaited, 0);
  const perOp: number[] = [];
  for (let s = 0; s < options.samples; s++) {
    const op = await prepare();
    collectGarbage();
    perOp.push(await timeRun(op, options.iterations, options.awaited, 0));
  }
  void sink;
  return summarise(perOp);
}
