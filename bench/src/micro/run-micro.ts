import { measureInterleaved, type Measurement } from '../harness/measure.js';
import type { MicroCase } from './micro-cases.js';

/** A measured micro-benchmark. */
export interface MicroResult {
  case: MicroCase;
  measurement: Measurement;
}

/** Calls each case a few times and throws unless every call verified: a benchmark of a failing path measures nothing. */
export async function checkMicroCase(c: MicroCase, calls = c.iterations): Promise<void> {
  const op = await c.prepare();
  for (let i = 0; i < calls; i++) {
    const result = await op(i);
    if (!c.verified(result, i)) throw new Error(`bench case ${c.id}: call ${i} did not verify (${JSON.stringify(result)?.slice(0, 200)})`);
  }
}

/**
 * Checks each case, then measures the cases of each group interleaved (see `measureInterleaved`).
 *
 * @example
 * ```ts
 * const results = await runMicro(cases, 7, (line) => console.error(line));
 * ```
 */
export async function runMicro(cases: MicroCase[], samples: number, log: (line: string) => void): Promise<MicroResult[]> {
  const results: MicroResult[] = [];
  const groups = [...new Set(cases.map((c) => c.group))];
  for (const group of groups) {
    const members = cases.filter((c) => c.group === group);
    for (const c of members) await checkMicroCase(c, Math.min(c.iterations, 16));
    const measured = await measureInterleaved(
      members.map((c) => ({ prepare: () => c.prepare(), options: { warmup: c.warmup, samples, iterations: c.iterations, awaited: c.awaited } })),
    );
    for (const [k, c] of members.entries()) {
      const measurement = measured[k]!;
      log(`  ${c.id.padEnd(36)} ${(measurement.medianNs / 1000).toFixed(2).padStart(9)} µs/op  ±${(measurement.iqr * 50).toFixed(1)}%`);
      results.push({ case: c, measurement });
    }
  }
  return results;
}
