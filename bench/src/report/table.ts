import type { CacheMemoryResult } from '../memory/cache-memory.js';
import { pairedRpsRatio, type HttpResult } from '../http/run-http.js';
import { OVERHEAD_GROUP } from '../micro/micro-cases.js';
import type { MicroResult } from '../micro/run-micro.js';
import type { OffThreadResult } from '../offthread/off-thread-designs.js';
import type { TargetResult } from './targets.js';

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

function formatNs(ns: number): string {
  return ns >= 10_000 ? `${(ns / 1000).toFixed(1)} µs` : `${(ns / 1000).toFixed(2)} µs`;
}

/**
 * The one table of a run: every case's median, spread, and ratio to its group's baseline
 * (time ratio for verification, where lower is better; throughput ratio for HTTP, where higher
 * is better), then the memory rows and the targets with PASS or FAIL.
 *
 * @example
 * ```ts
 * console.log(formatReport(micro, http, memory, targets));
 * ```
 */
export function formatReport(
  micro: MicroResult[],
  http: HttpResult[],
  memory: CacheMemoryResult | undefined,
  targets: TargetResult[],
  offThread: OffThreadResult[] = [],
): string {
  const lines: string[] = [];
  if (micro.length > 0) {
    const M = [52, 13, 10, 9, 9];
    const microRow = (cells: string[]): string =>
      `| ${cells.map((c, i) => pad(c, M[i]!, i > 0)).join(' | ')} |`;
    const microRule = `|${M.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
    lines.push(
      'Verification, one thread (time per call; ratio = time / baseline, median of the per-round ratios, lower is better; CPU ratio: the same by process CPU time, V8 helper threads included)',
      '',
    );
    lines.push(microRow(['case', 'median', 'IQR', 'ratio', 'CPU ratio']), microRule);
    for (const group of [...new Set(micro.map((m) => m.case.group))]) {
      lines.push(microRow([`**${group}**`, '', '', '', '']));
      for (const m of micro.filter((x) => x.case.group === group)) {
        const shown = m.case.group !== OVERHEAD_GROUP;
        const ratio = !shown ? '' : m.ratio === undefined ? 'baseline' : `${m.ratio.toFixed(2)}x`;
        const cpuRatio = !shown || m.cpuRatio === undefined ? '' : `${m.cpuRatio.toFixed(2)}x`;
        const label = `${m.case.label}${m.case.reference ? ' (ref)' : ''}`;
        lines.push(
          microRow([
            label,
            formatNs(m.measurement.medianNs),
            `±${(m.measurement.iqr * 50).toFixed(1)}%`,
            ratio,
            cpuRatio,
          ]),
        );
      }
    }
    lines.push('');
  }
  if (http.length > 0) {
    const H = [60, 9, 8, 6, 8, 8, 8, 8, 9, 7, 7];
    const httpRow = (cells: string[]): string =>
      `| ${cells.map((c, i) => pad(c, H[i]!, i > 0)).join(' | ')} |`;
    const httpRule = `|${H.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
    lines.push(
      "HTTP on 127.0.0.1, autocannon in another process, cases interleaved in rounds (requests/s, median of the rounds; spread = lowest to highest round; ratio = throughput / bare framework, paired by round, higher is better; CPU = the server process's CPU time per request, every thread; loop = its event loop's active time per request (eventLoopUtilization, wall time: a loop that waits for a core counts as busy); main CPU = the main thread's own CPU time per request, the rest of CPU being the other threads' (a signature worker, libuv's pool, V8's helpers); main wait = the time per request the main thread was ready to run but waited for a core (both from Linux's scheduler); load CPU = the load generator's CPU time per request, on the same cores; latency as autocannon saw it, median of the rounds)",
      '',
    );
    lines.push(
      httpRow([
        'case',
        'req/s',
        'spread',
        'ratio',
        'CPU µs',
        'loop µs',
        'main CPU µs',
        'main wait µs',
        'load CPU µs',
        'p50 ms',
        'p99 ms',
      ]),
      httpRule,
    );
    for (const group of [...new Set(http.map((h) => h.case.group))]) {
      lines.push(httpRow([`**${group}**`, '', '', '', '', '', '', '', '', '', '']));
      for (const h of http.filter((x) => x.case.group === group)) {
        const base = h.case.baseline ? http.find((b) => b.case.id === h.case.baseline) : undefined;
        const failed =
          h.non2xx > 0 || h.errors > 0 ? ` [${h.non2xx} non-2xx, ${h.errors} errors]` : '';
        const ratio = base ? pairedRpsRatio(h, base).toFixed(2) : 'baseline';
        lines.push(
          httpRow([
            `${h.case.label}${failed}`,
            h.medianRps.toFixed(0),
            `±${(h.spread * 50).toFixed(1)}%`,
            ratio,
            h.cpuUsPerRequest.toFixed(0),
            h.loopUsPerRequest.toFixed(0),
            h.mainCpuUsPerRequest?.toFixed(0) ?? '',
            h.mainWaitUsPerRequest?.toFixed(0) ?? '',
            h.clientCpuUsPerRequest.toFixed(0),
            h.latencyP50Ms.toFixed(1),
            h.latencyP99Ms.toFixed(1),
          ]),
        );
      }
    }
    lines.push('');
  }
  if (offThread.length > 0) {
    lines.push(
      "Where a signature is checked (ES256; per verification, the loop without verification subtracted; CPU = process CPU time, every thread; loop = event-loop active time; ratio = CPU / main thread's, paired by round)",
      '',
      '| design | in flight | CPU µs | ratio | loop µs | signatures per message |',
      '|---|---:|---:|---:|---:|---:|',
    );
    for (const o of offThread)
      lines.push(
        `| ${o.label} | ${o.inFlight} | ${o.cpuUs.toFixed(1)} | ${o.cpuRatio.toFixed(2)}x | ${o.loopUs.toFixed(1)} | ${o.meanBatch === undefined ? '' : o.meanBatch.toFixed(1)} |`,
      );
    lines.push('');
  }
  if (memory) {
    lines.push(
      `Verified-token cache memory (cache.max = ${memory.cacheMax}; heap after a full GC)`,
      '',
    );
    lines.push('| distinct tokens | heap used | RSS |', '|---:|---:|---:|');
    for (const p of memory.points)
      lines.push(
        `| ${p.tokens} | ${(p.heapUsed / 1048576).toFixed(1)} MiB | ${(p.rss / 1048576).toFixed(1)} MiB |`,
      );
    lines.push(
      '',
      `bytes per entry: ${memory.bytesPerEntryFirstFill.toFixed(0)} when the cache first fills, ${memory.bytesPerEntry.toFixed(0)} at the end (Map slack after evictions included)`,
      '',
    );
  }
  lines.push('Targets', '');
  for (const t of targets)
    lines.push(
      `${t.pass === undefined ? 'SKIP' : t.pass === 'reported' ? 'INFO' : t.pass ? 'PASS' : 'FAIL'}  ${t.target}: ${t.measured}`,
    );
  return lines.join('\n');
}
