import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createRecordsSource } from '@pomerium-auth/core';

// In a file of its own: mocked timers are process-wide, and would upset the timers of the
// global fetch (undici) that the other records tests use against a real server.

describe('createRecordsSource polling delays', () => {
  test('doubles the delay after unchanged or failed polls up to maxDelay, and goes back to minDelay after a change', async (t) => {
    // Mocked timers: the schedule is checked to the millisecond, whatever the machine's load.
    t.mock.timers.enable({ apis: ['setTimeout'] });
    let calls = 0;
    const ifNoneMatch: Array<string | null> = [];
    // ok(v1), then 304 x4, then a failure, then ok(v2), then 304 again
    const script = ['v1', 304, 304, 304, 304, 500, 'v2', 304, 304];
    const fakeFetch = (async (_url: string | URL | Request, init?: RequestInit) => {
      calls++;
      const step = script[Math.min(calls - 1, script.length - 1)]!;
      if (step === 304) {
        ifNoneMatch.push(new Headers(init?.headers).get('if-none-match'));
        return new Response(null, { status: 304 });
      }
      if (step === 500) return new Response('no', { status: 500 });
      return new Response(JSON.stringify([{ id: step }]), {
        headers: { etag: step === 'v1' ? '"e1"' : '"e2"' },
      });
    }) as typeof fetch;
    const settle = async (): Promise<void> => {
      for (let i = 0; i < 50; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    };
    const warnings: string[] = [];
    const source = createRecordsSource({
      url: 'https://data.example/r.json',
      fetch: fakeFetch,
      minDelay: 0.05,
      maxDelay: 0.25,
      logger: { warn: (m) => warnings.push(m) },
    });
    await source.ready();
    assert.equal(calls, 1);
    assert.equal(source.version, 1);
    // after v1: 50 ms; after 304s: 100, 200, 250 (capped), 250; after the 500: 250; after v2: 50; then 100.
    const expected = [50, 100, 200, 250, 250, 250, 50, 100];
    for (const [i, delay] of expected.entries()) {
      t.mock.timers.tick(delay - 1);
      await settle();
      assert.equal(calls, i + 1, `poll ${i + 2} came before ${delay} ms`);
      t.mock.timers.tick(1);
      await settle();
      assert.equal(calls, i + 2, `poll ${i + 2} did not come after ${delay} ms`);
    }
    assert.equal(source.version, 2);
    assert.deepEqual(source.get('v2'), { id: 'v2' });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /HTTP 500/);
    assert.deepEqual(ifNoneMatch, ['"e1"', '"e1"', '"e1"', '"e1"', '"e2"', '"e2"']);
    source.close();
  });
});
