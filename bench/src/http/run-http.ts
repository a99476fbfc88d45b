import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { median, ratiosByRound } from '../harness/measure.js';
import { BENCH_PATH, type BenchVariant, type HttpConfig } from './http-config.js';
import type { HttpCase } from './http-cases.js';
import type { ServerUsage } from './server-process.js';

/** Throughput of one HTTP case, over interleaved rounds. */
export interface HttpResult {
  case: HttpCase;
  /** Requests per second: the median over the rounds of each round's rate. */
  medianRps: number;
  /** Requests per second of each round (its requests over the time autocannon reports it ran). */
  roundRps: number[];
  /** Spread of the round rates, lowest to highest, as a share of the median. */
  spread: number;
  requests: number;
  non2xx: number;
  errors: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Server CPU time per request of each round, µs: the whole process, every thread. */
  roundCpuUs: number[];
  /** The server's event-loop active time per request of each round, µs. */
  roundLoopUs: number[];
  /**
   * The server's main thread, per request of each round, µs (Linux; empty elsewhere): its own
   * CPU time (the rest of `roundCpuUs` is every other thread's), and the time it was ready to
   * run but waited for a core.
   */
  roundMainCpuUs: number[];
  roundMainWaitUs: number[];
  /**
   * Per variant (the variants server), the median time its middleware took per request in each
   * round, µs.
   */
  roundMiddlewareUs: Partial<Record<BenchVariant, number[]>>;
  /**
   * The load generator's CPU time per request of each round, µs: autocannon runs in the bench's
   * own process, on the same cores as the server, so each request costs the machine this too.
   */
  roundClientCpuUs: number[];
  /** Medians over the rounds of the five above (the main thread's: `undefined` off Linux). */
  cpuUsPerRequest: number;
  loopUsPerRequest: number;
  mainCpuUsPerRequest: number | undefined;
  mainWaitUsPerRequest: number | undefined;
  clientCpuUsPerRequest: number;
}

/** How long, and how hard, each case is loaded. */
export interface LoadOptions {
  /** Seconds of measured load per case, split over the rounds. */
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  /** Rounds: every case gets one slice of load per round, cases in turn (default 10). */
  rounds?: number;
}

/**
 * The median over rounds of `ours[r] / theirs[r]`: two cases compared round by round, each
 * round's pair loaded back to back, so a slow stretch of the machine cannot favour one side.
 *
 * @example
 * ```ts
 * pairedRpsRatio(core, bare); // 0.64
 * ```
 */
export function pairedRpsRatio(ours: HttpResult, theirs: HttpResult): number {
  return median(rpsRatiosByRound(ours, theirs));
}

/**
 * `ours[r] / theirs[r]` for requests per second, round by round: what {@link pairedRpsRatio} is
 * the median of, and what the targets judge (with an interval for that median).
 */
export function rpsRatiosByRound(ours: HttpResult, theirs: HttpResult): number[] {
  return ratiosByRound(ours.roundRps, theirs.roundRps);
}

/**
 * `ours[r] / theirs[r]` for server CPU per request, round by round: how much CPU a request costs
 * one case against another, each round's pair measured back to back.
 *
 * @example
 * ```ts
 * median(cpuRatiosByRound(auto, oauth2)); // 0.93
 * ```
 */
export function cpuRatiosByRound(ours: HttpResult, theirs: HttpResult): number[] {
  return ratiosByRound(ours.roundCpuUs, theirs.roundCpuUs);
}

/**
 * `(ours[r] − bare[r]) / (theirs[r] − bare[r])` for each round: what one case adds to a bare
 * server's CPU per request against what another adds, e.g. pomeriumAuth on the main thread
 * against a middleware that only calls `crypto.verify`, less the bare server of the same round.
 *
 * @example
 * ```ts
 * median(addedCpuRatiosByRound(mainThread, cryptoVerifyFloor, bare)); // 1.12
 * ```
 */
export function addedCpuRatiosByRound(
  ours: HttpResult,
  theirs: HttpResult,
  bare: HttpResult,
): number[] {
  return ours.roundCpuUs.map(
    (cpu, r) => (cpu - bare.roundCpuUs[r]!) / (theirs.roundCpuUs[r]! - bare.roundCpuUs[r]!),
  );
}

/**
 * `ours[r] − theirs[r]` for each round: what one variant's middleware adds to another's, in µs
 * per request, both timed in the same server process in the same rounds.
 *
 * @example
 * ```ts
 * median(addedUsByRound(result.roundMiddlewareUs.policy!, result.roundMiddlewareUs.none!)); // 0.8 (µs)
 * ```
 */
export function addedUsByRound(ours: number[], theirs: number[]): number[] {
  return ours.map((us, r) => us - theirs[r]!);
}

const SERVER_SCRIPT = fileURLToPath(new URL('./server-process.js', import.meta.url));

async function startServer(
  c: HttpCase,
  config: HttpConfig,
): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(SERVER_SCRIPT, [c.server], {
    env: { ...process.env, BENCH_HTTP_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port?: number; error?: string }) =>
      m.port ? resolve(m.port) : reject(new Error(`server ${c.server} failed: ${m.error}`)),
    );
    child.once('exit', (code) => reject(new Error(`server ${c.server} exited with ${code}`)));
  });
  return { child, port };
}

/** The server's cumulative CPU and event-loop time, asked over IPC. */
function usage(child: ChildProcess): Promise<ServerUsage> {
  return new Promise((resolve) => {
    const onMessage = (m: { usage?: ServerUsage }) => {
      if (!m.usage) return;
      child.off('message', onMessage);
      resolve(m.usage);
    };
    child.on('message', onMessage);
    child.send('usage');
  });
}

function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** One request, checked: the server must answer 200 and name the expected user. */
async function checkCase(c: HttpCase, port: number, i: number): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}${BENCH_PATH}`, { headers: c.headers(i) });
  const body = await res.text();
  if (res.status !== 200)
    throw new Error(`${c.id}: request ${i} answered ${res.status} ${body.slice(0, 200)}`);
  const user = (JSON.parse(body) as { user?: string }).user;
  if (user !== c.expectedUser(i))
    throw new Error(`${c.id}: request ${i} saw user ${user}, expected ${c.expectedUser(i)}`);
}

function load(
  c: HttpCase,
  port: number,
  seconds: number,
  connections: number,
  offset: number,
): Promise<autocannon.Result> {
  let n = offset;
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    pipelining: 1,
    duration: seconds,
    requests: [
      {
        method: 'GET',
        path: BENCH_PATH,
        setupRequest: (req) => ({ ...req, headers: c.headers(n++) }),
      },
    ],
  });
}

/**
 * The order of the cases in round `round`: as listed in even rounds, reversed in odd ones (an
 * ABBA design). A case's slice is not independent of where it falls in the round: in A/A runs
 * with the order fixed, two identical servers differed by up to 6 % in requests/s by position
 * alone (bench/README.md, "Case order"). Reversing every other round puts each neighbour before
 * and after each case equally often, so a paired ratio no longer carries the order's bias.
 *
 * @example
 * ```ts
 * roundOrder(3, 0); // [0, 1, 2]
 * roundOrder(3, 1); // [2, 1, 0]
 * ```
 */
export function roundOrder(cases: number, round: number): number[] {
  const order = Array.from({ length: cases }, (_, k) => k);
  return round % 2 === 0 ? order : order.reverse();
}

/**
 * Runs the cases interleaved: every server starts in a child process of its own and answers a
 * couple of checked requests and a warm-up; then, round after round, each case in turn gets
 * `durationSeconds / rounds` of load from this process with autocannon, in the order of
 * {@link roundOrder} (reversed every other round). A case's throughput is the median of its
 * round rates, and its ratio to another case is paired by round (see `pairedRpsRatio`): run one
 * after the other for ten seconds each, two cases saw different machines (the bare Express
 * baseline measured 3 700 req/s in one run and 4 800 in the next).
 *
 * @example
 * ```ts
 * const results = await runHttp(httpCases(tokens), config, { durationSeconds: 10, warmupSeconds: 2, connections: 16 }, console.error);
 * ```
 */
export async function runHttp(
  cases: HttpCase[],
  config: HttpConfig,
  options: LoadOptions,
  log: (line: string) => void,
): Promise<HttpResult[]> {
  const rounds = Math.max(1, options.rounds ?? 10);
  const slice = options.durationSeconds / rounds;
  const servers: { c: HttpCase; child: ChildProcess; port: number }[] = [];
  try {
    for (const c of cases) {
      const { child, port } = await startServer(c, config);
      servers.push({ c, child, port });
      await checkCase(c, port, 0);
      await checkCase(c, port, 1);
      if (options.warmupSeconds > 0)
        await load(c, port, options.warmupSeconds, options.connections, 1_000_000);
    }
    const runs = servers.map(() => [] as autocannon.Result[]);
    const cpu = servers.map(() => [] as number[]);
    const loop = servers.map(() => [] as number[]);
    const mainCpu = servers.map(() => [] as number[]);
    const mainWait = servers.map(() => [] as number[]);
    const spans = servers.map((): Partial<Record<BenchVariant, number[]>> => ({}));
    const client = servers.map(() => [] as number[]);
    for (let round = 0; round < rounds; round++) {
      for (const k of roundOrder(servers.length, round)) {
        const { c, child, port } = servers[k]!;
        const before = await usage(child);
        const clientBefore = process.cpuUsage();
        const run = await load(c, port, slice, options.connections, 2_000_000 + round * 1_000_000);
        const clientUsed = process.cpuUsage(clientBefore);
        const after = await usage(child);
        runs[k]!.push(run);
        const served = Math.max(1, run.requests.total);
        cpu[k]!.push((after.cpuUs - before.cpuUs) / served);
        loop[k]!.push((after.loopActiveUs - before.loopActiveUs) / served);
        if (after.mainThread && before.mainThread) {
          mainCpu[k]!.push((after.mainThread.runUs - before.mainThread.runUs) / served);
          mainWait[k]!.push((after.mainThread.waitUs - before.mainThread.waitUs) / served);
        }
        for (const [variant, us] of Object.entries(after.middlewareUs ?? {}))
          (spans[k]![variant as BenchVariant] ??= []).push(us);
        client[k]!.push((clientUsed.user + clientUsed.system) / served);
      }
    }
    return servers.map(({ c }, k) => {
      const rs = runs[k]!;
      // Over the time autocannon reports it ran, not the slice asked for: asked for 0.2 s, it ran
      // about 1 s, and dividing by 0.2 overstated the rate fivefold (the quick settings' case).
      const roundRps = rs.map((r) => r.requests.total / r.duration);
      const medianRps = median(roundRps);
      const result: HttpResult = {
        case: c,
        medianRps,
        roundRps,
        spread: medianRps > 0 ? (Math.max(...roundRps) - Math.min(...roundRps)) / medianRps : 0,
        requests: rs.reduce((n, r) => n + r.requests.total, 0),
        non2xx: rs.reduce((n, r) => n + r.non2xx, 0),
        errors: rs.reduce((n, r) => n + r.errors + r.timeouts, 0),
        latencyP50Ms: median(rs.map((r) => r.latency.p50)),
        latencyP99Ms: median(rs.map((r) => r.latency.p99)),
        roundCpuUs: cpu[k]!,
        roundLoopUs: loop[k]!,
        roundMainCpuUs: mainCpu[k]!,
        roundMainWaitUs: mainWait[k]!,
        roundMiddlewareUs: spans[k]!,
        roundClientCpuUs: client[k]!,
        cpuUsPerRequest: median(cpu[k]!),
        loopUsPerRequest: median(loop[k]!),
        mainCpuUsPerRequest: mainCpu[k]!.length > 0 ? median(mainCpu[k]!) : undefined,
        mainWaitUsPerRequest: mainWait[k]!.length > 0 ? median(mainWait[k]!) : undefined,
        clientCpuUsPerRequest: median(client[k]!),
      };
      log(
        `  ${c.id.padEnd(40)} ${medianRps.toFixed(0).padStart(7)} req/s  ${result.cpuUsPerRequest.toFixed(0).padStart(5)} µs CPU/req  rounds ${roundRps.map((x) => x.toFixed(0)).join(' ')}  (non-2xx ${result.non2xx}, errors ${result.errors})`,
      );
      return result;
    });
  } finally {
    for (const { child } of servers) await stopServer(child);
  }
}
