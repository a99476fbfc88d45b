// A smaller soak in the normal test run (SOAK_CI_REQUESTS, default 20 000): every answer right,
// no unhandled rejection, one audit event per request, memory bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSoak } from '../src/soak.js';

test(
  'soak: 20k mixed requests through the Express example, every answer right',
  { timeout: 240_000 },
  async (t) => {
    const requests = Number(process.env.SOAK_CI_REQUESTS ?? 20_000);
    const report = await runSoak({ requests, concurrency: 32 });
    t.diagnostic(
      `soak ${report.requests} requests in ${report.durationMs} ms; RSS MiB start ${report.rssMiB.start} middle ${report.rssMiB.middle} end ${report.rssMiB.end} max ${report.rssMiB.max}; heap MiB start ${report.heapUsedMiB.start} end ${report.heapUsedMiB.end}`,
    );
    assert.equal(report.requests, requests);
    assert.deepEqual(report.examples, []);
    assert.equal(report.wrong, 0);
    assert.equal(report.unhandledRejections, 0);
    assert.ok(
      report.auditEvents >= report.auditEventsExpected.min &&
        report.auditEvents <= report.auditEventsExpected.max,
      `${report.auditEvents} audit events, expected ${JSON.stringify(report.auditEventsExpected)}`,
    );
    // Bounded: the verified-token cache holds at most 10 000 entries; nothing else should grow.
    assert.ok(
      report.rssMiB.end - report.rssMiB.start < 256,
      `RSS grew from ${report.rssMiB.start} to ${report.rssMiB.end} MiB`,
    );
  },
);
