// A child process of `runMicro`: measures one case against its baseline (or one case alone),
// interleaved, in a fresh V8 instance, and prints the two measurements as JSON on stdout.
// Argument: the JSON of a `PairRequest`.
import { measureInterleaved, type Measurement } from '../harness/measure.js';
import { buildMicroCases, type MicroSizes } from './micro-cases.js';
import { checkMicroCase } from './run-micro.js';
import { createBenchIssuers } from './token-pools.js';

/** What one child measures. */
export interface PairRequest {
  group: string;
  /** The case ids, the baseline first when there is one. */
  ids: string[];
  sizes: MicroSizes;
  samples: number;
}

/** The child's answer: one measurement per id, in order. */
export interface PairAnswer {
  measurements: Measurement[];
}

const request = JSON.parse(process.argv[2]!) as PairRequest;
const issuers = await createBenchIssuers();
try {
  const cases = await buildMicroCases(issuers, request.sizes, request.group);
  const chosen = request.ids.map((id) => {
    const found = cases.find((c) => c.id === id);
    if (!found) throw new Error(`no bench case ${id} in group ${request.group}`);
    return found;
  });
  for (const c of chosen) await checkMicroCase(c, Math.min(c.iterations, 16));
  const measurements = await measureInterleaved(
    chosen.map((c) => ({
      prepare: () => c.prepare(),
      options: {
        warmup: c.warmup,
        samples: request.samples,
        iterations: c.iterations,
        awaited: c.awaited,
      },
    })),
  );
  process.stdout.write(JSON.stringify({ measurements } satisfies PairAnswer));
} finally {
  await issuers.es256.close();
  await issuers.rs256.close();
}
