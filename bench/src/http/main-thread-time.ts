import { readFileSync } from 'node:fs';

/** The calling thread's time on a CPU and waiting for one, from Linux's scheduler, µs. */
export interface ThreadTime {
  /** Time the thread ran on a CPU (user and system), µs. */
  runUs: number;
  /** Time the thread was ready to run but waited for a CPU (another thread had it), µs. */
  waitUs: number;
}

/**
 * The calling thread's cumulative CPU time and run-queue wait, read from
 * `/proc/thread-self/schedstat` (nanoseconds, Linux); `undefined` where there is no such file.
 * Called on a server's main thread it separates the event loop's own CPU from the process's
 * other threads (a signature worker, libuv's pool, V8's helpers), which `process.cpuUsage` adds
 * together; and its wait says how often the loop had work but no core, which the event loop's
 * active time (`eventLoopUtilization`, wall time) counts as work.
 *
 * @example
 * ```ts
 * const before = threadTime();
 * // ... a slice of load
 * const after = threadTime();
 * ```
 */
export function threadTime(): ThreadTime | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/thread-self/schedstat', 'latin1');
  } catch {
    return undefined;
  }
  const [run, wait] = text.split(' ').map(Number);
  if (!Number.isFinite(run) || !Number.isFinite(wait)) return undefined;
  return { runUs: run! / 1000, waitUs: wait! / 1000 };
}
