import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  measureInterleaved,
  pairedRatio,
  summarise,
  type Measurement,
} from '../harness/measure.js';
import type { PairAnswer, PairRequest } from './measure-pair.js';
import type { MicroCase, MicroSizes } from './micro-cases.js';

/** A measured micro-benchmark. */
export interface MicroResult {
  case: MicroCase;
  measurement: Measurement;
  /** Time ratio to the group's baseline by the chosen clock, paired by round (see `pairedRatio`); absent on baselines. */
  ratio?: number;
  /** The same ratio by the process's CPU time (V8's helper threads included). */
  cpuRatio?: number;
}

/** Calls each case a few times and throws unless every call verified: a benchmark of a failing path measures nothing. */
export async function checkMicroCase(c: MicroCase, calls = c.iterations): Promise<void> {
  const op = await c.prepare();
  for (let i = 0; i < calls; i++) {
    const result = await op(i);
    if (!c.verified(result, i))
      throw new Error(
        `bench case ${c.id}: call ${i} did not verify (${JSON.stringify(result)?.slice(0, 200)})`,
      );
  }
}

/** How `runMicro` measures. */
export interface MicroRunOptions {
  /** Iterations per sample (the children build their own cases with these sizes). */
  sizes: MicroSizes;
  samples: number;
  /**
   * True (the default, `BENCH_ISOLATE=1`): each case is measured against its baseline in a child
   * process of its own. False: every case of a group in this process, all interleaved.
   */
  isolate: boolean;
}

const PAIR_SCRIPT = fileURLToPath(new URL('./measure-pair.js', import.meta.url));

async function measureInChild(request: PairRequest): Promise<Measurement[]> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [PAIR_SCRIPT, JSON.stringify(request)],
    { maxBuffer: 16 << 20 },
  );
  return (JSON.parse(stdout) as PairAnswer).measurements;
}

/**
 * Measures every case against its group's baseline. With `isolate` (the default), each case
 * and its baseline run interleaved in a child process of their own, so one library's JIT
 * feedback and heap cannot slow another's: in one shared process, the reference libraries'
 * calls into the same Node internals (Buffer, JSON, crypto) made those call sites polymorphic for
 * every case measured after them, and left old-generation garbage that later samples paid for.
 * The baseline row then pools the baseline's samples from every pair; each ratio is paired
 * within its own process (see `pairedRatio`).
 *
 * @example
 * ```ts
 * const results = await runMicro(cases, { sizes, samples: 9, isolate: true }, (line) => console.error(line));
 * ```
 */
export async function runMicro(
  cases: MicroCase[],
  options: MicroRunOptions,
  log: (line: string) => void,
): Promise<MicroResult[]> {
  const results: MicroResult[] = [];
  const report = (c: MicroCase, measurement: Measurement, base: Measurement | undefined): void => {
    const ratio = base === undefined ? undefined : pairedRatio(measurement, base);
    const cpuRatio = base === undefined ? undefined : pairedRatio(measurement, base, 'cpu');
    log(
      `  ${c.id.padEnd(36)} ${(measurement.medianNs / 1000).toFixed(2).padStart(9)} µs/op  ±${(measurement.iqr * 50).toFixed(1)}%${ratio === undefined ? '' : `  ${ratio.toFixed(2)}x (CPU ${cpuRatio!.toFixed(2)}x)`}`,
    );
    results.push(
      ratio === undefined
        ? { case: c, measurement }
        : { case: c, measurement, ratio, cpuRatio: cpuRatio! },
    );
  };
  for (const group of [...new Set(cases.map((c) => c.group))]) {
    const members = cases.filter((c) => c.group === group);
    if (!options.isolate) {
      for (const c of members) await checkMicroCase(c, Math.min(c.iterations, 16));
      const measured = await measureInterleaved(
        members.map((c) => ({
          prepare: () => c.prepare(),
          options: {
            warmup: c.warmup,
            samples: options.samples,
            iterations: c.iterations,
            awaited: c.awaited,
          },
        })),
      );
      for (const [k, c] of members.entries())
        report(
          c,
          measured[k]!,
          c.baseline === undefined
            ? undefined
            : measured[members.findIndex((m) => m.id === c.baseline)],
        );
      continue;
    }
    const baseline = members.find((c) => members.some((m) => m.baseline === c.id));
    const baselineSamples: number[] = [];
    const baselineCpuSamples: number[] = [];
    const rows: { c: MicroCase; measurement: Measurement; base?: Measurement }[] = [];
    for (const c of members) {
      if (c === baseline) continue;
      const ids = c.baseline === undefined ? [c.id] : [c.baseline, c.id];
      const measured = await measureInChild({
        group,
        ids,
        sizes: options.sizes,
        samples: options.samples,
      });
      if (c.baseline === undefined) {
        rows.push({ c, measurement: measured[0]! });
      } else {
        baselineSamples.push(...measured[0]!.perOpNs);
        baselineCpuSamples.push(...measured[0]!.cpuPerOpNs);
        rows.push({ c, measurement: measured[1]!, base: measured[0]! });
      }
    }
    if (baseline) report(baseline, summarise(baselineSamples, baselineCpuSamples), undefined);
    for (const row of rows) report(row.c, row.measurement, row.base);
  }
  return results;
}
