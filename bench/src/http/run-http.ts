import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { BENCH_PATH, type HttpConfig } from './http-config.js';
import type { HttpCase } from './http-cases.js';

/** Throughput of one HTTP case, from autocannon's per-second samples. */
export interface HttpResult {
  case: HttpCase;
  /** Requests per second: the median of the per-second samples. */
  medianRps: number;
  /** Requests per second over the whole run (total / duration). */
  meanRps: number;
  /** Spread of the per-second samples, p2.5 to p97.5, as a share of the median. */
  spread: number;
  requests: number;
  non2xx: number;
  errors: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
}

/** How long, and how hard, each case is loaded. */
export interface LoadOptions {
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
}

const SERVER_SCRIPT = fileURLToPath(new URL('./server-process.js', import.meta.url));

async function startServer(c: HttpCase, config: HttpConfig): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(SERVER_SCRIPT, [c.server], { env: { ...process.env, BENCH_HTTP_CONFIG: JSON.stringify(config) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port?: number; error?: string }) => (m.port ? resolve(m.port) : reject(new Error(`server ${c.server} failed: ${m.error}`))));
    child.once('exit', (code) => reject(new Error(`server ${c.server} exited with ${code}`)));
  });
  return { child, port };
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
  if (res.status !== 200) throw new Error(`${c.id}: request ${i} answered ${res.status} ${body.slice(0, 200)}`);
  const user = (JSON.parse(body) as { user?: string }).user;
  if (user !== c.expectedUser(i)) throw new Error(`${c.id}: request ${i} saw user ${user}, expected ${c.expectedUser(i)}`);
}

function load(c: HttpCase, port: number, seconds: number, connections: number, offset: number): Promise<autocannon.Result> {
  let n = offset;
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    pipelining: 1,
    duration: seconds,
    requests: [{ method: 'GET', path: BENCH_PATH, setupRequest: (req) => ({ ...req, headers: c.headers(n++) }) }],
  });
}

/**
 * Runs each case: its server in a child process, a couple of checked requests, a warm-up, then
 * `durationSeconds` of load from this process with autocannon.
 *
 * @example
 * ```ts
 * const results = await runHttp(httpCases(tokens), config, { durationSeconds: 10, warmupSeconds: 2, connections: 16 }, console.error);
 * ```
 */
export async function runHttp(cases: HttpCase[], config: HttpConfig, options: LoadOptions, log: (line: string) => void): Promise<HttpResult[]> {
  const results: HttpResult[] = [];
  for (const c of cases) {
    const { child, port } = await startServer(c, config);
    try {
      await checkCase(c, port, 0);
      await checkCase(c, port, 1);
      if (options.warmupSeconds > 0) await load(c, port, options.warmupSeconds, options.connections, 1_000_000);
      const r = await load(c, port, options.durationSeconds, options.connections, 2_000_000);
      const rq = r.requests;
      const result: HttpResult = {
        case: c,
        medianRps: rq.p50,
        meanRps: rq.total / options.durationSeconds,
        spread: rq.p50 > 0 ? (rq.p97_5 - rq.p2_5) / rq.p50 : 0,
        requests: rq.total,
        non2xx: r.non2xx,
        errors: r.errors + r.timeouts,
        latencyP50Ms: r.latency.p50,
        latencyP99Ms: r.latency.p99,
      };
      log(`  ${c.id.padEnd(36)} ${result.medianRps.toFixed(0).padStart(7)} req/s  (non-2xx ${result.non2xx}, errors ${result.errors})`);
      results.push(result);
    } finally {
      await stopServer(child);
    }
  }
  return results;
}
