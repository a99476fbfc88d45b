// Where an ES256 signature can be checked, measured against each other in one process (run as
// `node off-thread-designs.js`, JSON on stdout): on the main thread, on libuv's thread pool
// (`crypto.verify` with a callback, one hand-off each way per signature), on a worker thread one
// message per signature, and on core's worker pool (batches). Each "request" does the same fixed
// JavaScript work on the main thread and then waits for its signature, `inFlight` requests at a
// time; a design's cost per verification is its process CPU time (every thread) and event-loop
// time per request, less those of the same loop with no verification at all.
import { performance } from 'node:perf_hooks';
import {
  checkOnThisThread,
  importVerificationKey,
  parseCheckedJws,
  SignatureWorkerPool,
  verifyJwsSignatureOnThreadPool,
  type VerificationKey,
} from '@pomerium-auth/core/internal';
import { median } from '../harness/measure.js';
import { assertionPool, createBenchIssuers } from '../micro/token-pools.js';

/** One way to check a signature, as the loop calls it. */
interface Design {
  id: string;
  label: string;
  check(i: number): boolean | Promise<boolean>;
  /** Batches sent, for designs that batch. */
  batches?: () => number;
}

/** What one design cost, per verification, over the rounds. */
export interface OffThreadResult {
  id: string;
  label: string;
  inFlight: number;
  /** Process CPU time per verification, µs (median over rounds, the no-verification loop's subtracted). */
  cpuUs: number;
  /** Event-loop active time per verification, µs (the same way). */
  loopUs: number;
  /** The median over rounds of this design's CPU per verification over the main thread's, same round. */
  cpuRatio: number;
  /** Signatures per message to a worker, where it batches. */
  meanBatch?: number;
}

/** The fixed main-thread work of a request: parsing a JSON body of some 8 KiB. */
const BODY = JSON.stringify({
  items: Array.from({ length: 120 }, (_, i) => ({ id: i, name: `item ${i}`, tags: ['a', 'b'] })),
});

function work(): number {
  return (JSON.parse(BODY) as { items: unknown[] }).items.length;
}

async function runLoop(
  design: Design,
  inFlight: number,
  requests: number,
): Promise<{ cpu: number; loop: number }> {
  let next = 0;
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const client = async (): Promise<void> => {
    while (next < requests) {
      const i = next++;
      work();
      const answer = design.check(i);
      const ok = answer instanceof Promise ? await answer : answer;
      if (!ok) throw new Error(`${design.id}: signature ${i} did not verify`);
      // The next request of this client arrives in a later turn, as a socket read would.
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  await Promise.all(Array.from({ length: inFlight }, client));
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  return { cpu: (cpu.user + cpu.system) / requests, loop: (elu.active * 1000) / requests };
}

async function main(): Promise<void> {
  const rounds = Number(process.env.BENCH_OFFTHREAD_ROUNDS ?? 7);
  const requests = Math.max(50, Math.round(600 * Number(process.env.BENCH_SCALE ?? 1)));
  const issuers = await createBenchIssuers();
  const pool = assertionPool(issuers.es256, requests);
  const key: VerificationKey = importVerificationKey(issuers.es256.keys[0]!.publicJwk);
  const parsed = pool.tokens.map((t) => parseCheckedJws(t));
  const batched = new SignatureWorkerPool({ threads: 1, maxPending: 1024 });
  const oneEach = new SignatureWorkerPool({ threads: 1, maxPending: 1024, maxBatch: 1 });
  const designs: Design[] = [
    { id: 'none', label: 'no verification (the loop alone)', check: () => true },
    {
      id: 'main-thread',
      label: 'main thread: crypto.verify',
      check: (i) => checkOnThisThread(parsed[i]!, [key]),
    },
    {
      id: 'libuv',
      label: "libuv's thread pool: crypto.verify with a callback",
      check: (i) =>
        verifyJwsSignatureOnThreadPool(
          'ES256',
          parsed[i]!.signingInput,
          Buffer.from(parsed[i]!.signatureText, 'base64url'),
          key.key,
        ),
    },
    {
      id: 'worker-each',
      label: 'a worker thread, one message per signature',
      check: (i) => oneEach.check(parsed[i]!, [key]),
      batches: () => oneEach.stats().batches,
    },
    {
      id: 'worker-batched',
      label: "core's worker pool: batches in a shared buffer",
      check: (i) => batched.check(parsed[i]!, [key]),
      batches: () => batched.stats().batches,
    },
  ];
  // Start both pools' workers (their first signature is checked here) and warm every design up.
  for (const d of designs) await runLoop(d, 4, Math.min(requests, 100));
  while (batched.stats().ready === 0 || oneEach.stats().ready === 0)
    await new Promise((r) => setTimeout(r, 10));
  const results: OffThreadResult[] = [];
  for (const inFlight of [1, 16]) {
    const cpu = designs.map(() => [] as number[]);
    const loop = designs.map(() => [] as number[]);
    const batches = designs.map(() => 0);
    const offThread = designs.map(() => 0);
    for (let round = 0; round < rounds; round++) {
      for (const [k, d] of designs.entries()) {
        const before = d.batches?.() ?? 0;
        const r = await runLoop(d, inFlight, requests);
        batches[k]! += (d.batches?.() ?? 0) - before;
        offThread[k]! += requests;
        cpu[k]!.push(r.cpu);
        loop[k]!.push(r.loop);
      }
    }
    const minus = (k: number, series: number[][]) => series[k]!.map((v, r) => v - series[0]![r]!);
    const mainCpu = minus(1, cpu);
    for (const [k, d] of designs.entries()) {
      if (k === 0) continue;
      const own = minus(k, cpu);
      const result: OffThreadResult = {
        id: d.id,
        label: d.label,
        inFlight,
        cpuUs: median(own),
        loopUs: median(minus(k, loop)),
        cpuRatio: median(own.map((v, r) => v / mainCpu[r]!)),
      };
      if (d.batches) result.meanBatch = offThread[k]! / Math.max(1, batches[k]!);
      results.push(result);
    }
  }
  await batched.close();
  await oneEach.close();
  await issuers.es256.close();
  await issuers.rs256.close();
  process.stdout.write(JSON.stringify(results));
}

await main();
