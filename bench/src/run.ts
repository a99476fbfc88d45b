// `pnpm bench`: verification micro-benchmarks, cache memory, off-thread designs, then HTTP
// throughput, printed as one table with the targets. Environment:
//   BENCH_ONLY=micro,memory,offthread,http   phases to run (default all)
//   BENCH_HTTP_CASES=http.express  HTTP cases whose id starts with one of these (their baselines come along)
//   BENCH_DURATION=10              seconds of load per HTTP case (BENCH_WARMUP, default 2, before it)
//   BENCH_ROUNDS=10                interleaved rounds the HTTP load is split into
//   BENCH_SAMPLES=9                timed samples per verification case
//   BENCH_SCALE=1                  multiplies iterations per sample (0.1 for a quick look)
//   BENCH_MEMORY_TOKENS=1000000    distinct tokens sent through the cache
//   BENCH_CLOCK=wall               the clock samples are judged by: wall (the measuring thread) or cpu (the process, helper threads included); both are shown
//   BENCH_ISOLATE=1               0: all verification cases of a group in this process (1: each case with its baseline in a child)
//   BENCH_GC=minor                 collection before each verification sample: minor, major or none
//   BENCH_STRICT=1                 exit 1 when a target fails
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { HttpConfig } from './http/http-config.js';
import { httpCases } from './http/http-cases.js';
import { runHttp, type HttpResult } from './http/run-http.js';
import type { CacheMemoryResult } from './memory/cache-memory.js';
import type { OffThreadResult } from './offthread/off-thread-designs.js';
import { buildMicroCases } from './micro/micro-cases.js';
import { runMicro, type MicroResult } from './micro/run-micro.js';
import { assertionPool, createBenchIssuers } from './micro/token-pools.js';
import { es256VerifyMicros } from './harness/machine-speed.js';
import { currentClock, currentSampleGc } from './harness/measure.js';
import { formatReport } from './report/table.js';
import { judgeTargets } from './report/targets.js';

const env = process.env;
const phases = new Set(
  (env.BENCH_ONLY ?? 'micro,memory,offthread,http').split(',').map((s) => s.trim()),
);
const scale = Number(env.BENCH_SCALE ?? 1);
const samples = Number(env.BENCH_SAMPLES ?? 9);
const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** Enough distinct assertions that rotating through them never hits a 10 000-entry cache. */
const HTTP_ASSERTIONS = 20_000;

const issuers = await createBenchIssuers();
const started = new Date();

let micro: MicroResult[] = [];
if (phases.has('micro')) {
  log('verification micro-benchmarks (minting token pools first)');
  const sizes = {
    asymmetric: Math.max(10, Math.round(1000 * scale)),
    hmac: Math.max(10, Math.round(20_000 * scale)),
  };
  const isolate = env.BENCH_ISOLATE !== '0';
  // In isolated mode this process needs only the cases' names: the children mint their own pools.
  const cases = await buildMicroCases(issuers, isolate ? { asymmetric: 1, hmac: 1 } : sizes);
  micro = await runMicro(cases, { sizes, samples, isolate }, log);
}

let memory: CacheMemoryResult | undefined;
if (phases.has('memory')) {
  const tokens = Number(env.BENCH_MEMORY_TOKENS ?? 1_000_000);
  log(`cache memory: ${tokens} distinct tokens through a 10000-entry cache (child process)`);
  const script = fileURLToPath(new URL('./memory/cache-memory.js', import.meta.url));
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [script, String(tokens), '10000'],
    { maxBuffer: 1 << 20 },
  );
  memory = JSON.parse(stdout) as CacheMemoryResult;
}

let offThread: OffThreadResult[] = [];
if (phases.has('offthread')) {
  log(
    'off-thread designs: main thread, libuv pool, a worker per message, core worker pool (child process)',
  );
  const script = fileURLToPath(new URL('./offthread/off-thread-designs.js', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [script], { maxBuffer: 1 << 20 });
  offThread = JSON.parse(stdout) as OffThreadResult[];
}

let http: HttpResult[] = [];
/** ES256 `crypto.verify` µs in a quiet loop before and after the HTTP phase: the host's speed. */
const machineSpeed: { beforeHttp?: number; afterHttp?: number } = {};
if (phases.has('http')) {
  machineSpeed.beforeHttp = es256VerifyMicros();
  log(`HTTP: minting ${HTTP_ASSERTIONS} assertions, then each case in turn`);
  const keys = await issuers.es256.serve();
  const config: HttpConfig = {
    jwksUrl: keys.url,
    issuer: issuers.es256.issuer,
    audience: issuers.es256.audience,
    sharedSecret: issuers.es256.sharedSecret,
    publicPem: issuers.es256.keys[0]!.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
  const tokens = {
    assertions: assertionPool(issuers.es256, HTTP_ASSERTIONS).tokens,
    serviceAccount: issuers.es256.mintServiceAccountToken({ id: 'sa-0', userId: 'bot-0' }),
  };
  const wanted = env.BENCH_HTTP_CASES?.split(',').map((p) => p.trim());
  const all = httpCases(tokens);
  const chosen = wanted ? all.filter((c) => wanted.some((p) => c.id.startsWith(p))) : all;
  const baselines = new Set(chosen.map((c) => c.baseline));
  http = await runHttp(
    all.filter((c) => chosen.includes(c) || baselines.has(c.id)),
    config,
    {
      durationSeconds: Number(env.BENCH_DURATION ?? 10),
      warmupSeconds: Number(env.BENCH_WARMUP ?? 2),
      connections: 16,
      ...(env.BENCH_ROUNDS ? { rounds: Number(env.BENCH_ROUNDS) } : {}),
    },
    log,
  );
  machineSpeed.afterHttp = es256VerifyMicros();
}
await issuers.es256.close();
await issuers.rs256.close();

const targets = judgeTargets(micro, http, memory, offThread);
const cpu = cpus();
const header = `pomerium-auth bench — ${started.toISOString()} — Node ${process.version} on ${platform()}/${arch()}, ${cpu.length} × ${cpu[0]?.model ?? 'cpu'} — verification clock: ${currentClock()}, GC before each sample: ${currentSampleGc()}`;
const speed =
  machineSpeed.beforeHttp === undefined
    ? ''
    : `\nmachine speed (one ES256 crypto.verify in a quiet loop): ${machineSpeed.beforeHttp.toFixed(1)} µs before the HTTP phase, ${machineSpeed.afterHttp!.toFixed(1)} µs after`;
const report = `${header}${speed}\n\n${formatReport(micro, http, memory, targets, offThread)}\n`;
process.stdout.write(`\n${report}`);

const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));
mkdirSync(resultsDir, { recursive: true });
const stamp = started.toISOString().replace(/[:.]/g, '-');
writeFileSync(`${resultsDir}bench-${stamp}.md`, report);
writeFileSync(
  `${resultsDir}bench-${stamp}.json`,
  JSON.stringify(
    {
      started,
      node: process.version,
      cpus: cpu.length,
      machineSpeed,
      micro: micro.map((m) => ({
        id: m.case.id,
        ratio: m.ratio,
        cpuRatio: m.cpuRatio,
        ...m.measurement,
      })),
      http: http.map(({ case: c, ...r }) => ({ id: c.id, ...r })),
      memory,
      offThread,
      targets,
    },
    null,
    2,
  ),
);
if (env.BENCH_STRICT === '1' && targets.some((t) => t.pass === false)) process.exitCode = 1;
