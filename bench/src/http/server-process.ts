// A benchmark server in its own process, so that the load generator does not share its event
// loop: `fork('server-process.js', [name])` with the HttpConfig as JSON in BENCH_HTTP_CONFIG;
// the port comes back as an IPC message. Asked `'usage'`, it answers with its CPU time (every
// thread: the event loop, signature workers, V8's helpers) and its event loop's active time, so
// the runner can divide what a slice of load cost by the requests it served (and, on Linux, the
// main thread's own CPU time and its wait for a core, from the scheduler), and with the median
// time each variant's middleware took per request over the slice (the variants server).
import { performance } from 'node:perf_hooks';
import type { BenchVariant, HttpConfig } from './http-config.js';
import { median } from '../harness/measure.js';
import { threadTime, type ThreadTime } from './main-thread-time.js';
import { startBenchServer, takeMiddlewareSpans, type ServerName } from './servers.js';

/** What a server answers to `'usage'`: cumulative since it started. */
export interface ServerUsage {
  /** User + system CPU time of the whole process, µs. */
  cpuUs: number;
  /** Time the event loop spent running callbacks (not waiting), µs. */
  loopActiveUs: number;
  /** The main thread's own CPU time and run-queue wait (Linux only). */
  mainThread?: ThreadTime;
  /**
   * The median span of each variant's middleware over the requests since the last `'usage'`, µs
   * (the variants server only).
   */
  middlewareUs?: Partial<Record<BenchVariant, number>>;
}

const name = process.argv[2] as ServerName;
const config = JSON.parse(process.env.BENCH_HTTP_CONFIG ?? '{}') as HttpConfig;
try {
  const { port } = await startBenchServer(name, config);
  process.send?.({ port });
} catch (err) {
  process.send?.({ error: err instanceof Error ? err.stack : String(err) });
  process.exit(1);
}
process.on('message', (message) => {
  if (message !== 'usage') return;
  const { user, system } = process.cpuUsage();
  const spans = Object.entries(takeMiddlewareSpans());
  const mainThread = threadTime();
  const usage: ServerUsage = {
    cpuUs: user + system,
    loopActiveUs: performance.eventLoopUtilization().active * 1000,
    ...(mainThread ? { mainThread } : {}),
    ...(spans.length > 0
      ? { middlewareUs: Object.fromEntries(spans.map(([v, list]) => [v, median(list)])) }
      : {}),
  };
  process.send?.({ usage });
});
process.on('disconnect', () => process.exit(0));
