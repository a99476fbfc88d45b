import { test, describe, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createRecordsSource } from '@pomerium-auth/core';

// In a file of its own: the fake timeouts are process-wide, and would upset the timers of the
// global fetch (undici) that the other records tests use against a real server.

describe('createRecordsSource polling delays', () => {
  test('backoff: 2 doubles the delay after unchanged or failed polls up to maxDelay, and goes back to minDelay after a change', async (t) => {
    // Fake timeouts: the schedule is checked to the millisecond, whatever the machine's load.
    const clock = fakeTimeouts(t);
    let calls = 0;
    const ifNoneMatch: Array<string | null> = [];
    // ok(v1), then 304 x4, then a failure, then ok(v2), then 304 again
    const script = ['v1', 304, 304, 304, 304, 500, 'v2', 304, 304];
    const fakeFetch = fetchAnswering((init) => {
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
    });
    const warnings: string[] = [];
    const source = createRecordsSource({
      url: 'https://data.example/r.json',
      fetch: fakeFetch,
      minDelay: 0.05,
      maxDelay: 0.25,
      backoff: 2,
      logger: { warn: (m) => warnings.push(m) },
    });
    await source.ready();
    assert.equal(calls, 1);
    assert.equal(source.version, 1);
    // after v1: 50 ms; after 304s: 100, 200, 250 (capped), 250; after the 500: 250; after v2: 50; then 100.
    const expected = [50, 100, 200, 250, 250, 250, 50, 100];
    await checkSchedule(clock, expected, () => calls);
    assert.equal(source.version, 2);
    assert.deepEqual(source.get('v2'), { id: 'v2' });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /HTTP 500/);
    assert.deepEqual(ifNoneMatch, ['"e1"', '"e1"', '"e1"', '"e1"', '"e2"', '"e2"']);
    source.close();
  });

  test('by default a quiet source is polled every minDelay: a revocation is seen within one poll', async (t) => {
    const clock = fakeTimeouts(t);
    let calls = 0;
    const fakeFetch = fetchAnswering(() => {
      calls++;
      return calls === 1
        ? new Response(JSON.stringify([{ id: 'a' }]), { headers: { etag: '"e1"' } })
        : new Response(null, { status: 304 });
    });
    const source = createRecordsSource({
      url: 'https://data.example/r.json',
      fetch: fakeFetch,
      minDelay: 0.05,
      maxDelay: 0.25,
    });
    await source.ready();
    await checkSchedule(clock, [50, 50, 50, 50], () => calls);
    source.close();
  });

  test('backoff: 1 keeps polling every minDelay while nothing changes; failures still double; a success returns to the quiet delay', async (t) => {
    const clock = fakeTimeouts(t);
    let calls = 0;
    // ok(v1), 304 x3, 500 x2, 304 x2
    const script = ['v1', 304, 304, 304, 500, 500, 304, 304];
    const fakeFetch = fetchAnswering(() => {
      calls++;
      const step = script[Math.min(calls - 1, script.length - 1)]!;
      if (step === 304) return new Response(null, { status: 304 });
      if (step === 500) return new Response('no', { status: 500 });
      return new Response(JSON.stringify([{ id: step }]), { headers: { etag: '"e1"' } });
    });
    const source = createRecordsSource({
      url: 'https://data.example/r.json',
      fetch: fakeFetch,
      minDelay: 0.05,
      maxDelay: 0.4,
      backoff: 1,
      logger: { warn: () => undefined },
    });
    await source.ready();
    // after v1 and each 304: 50; after the first 500: 100, the second: 200; after the 304: 50 again.
    const expected = [50, 50, 50, 50, 100, 200, 50];
    await checkSchedule(clock, expected, () => calls);
    source.close();
  });

  test('backoff: 3 triples the delay after each unchanged poll, up to maxDelay', async (t) => {
    const clock = fakeTimeouts(t);
    let calls = 0;
    const fakeFetch = fetchAnswering(() => {
      calls++;
      if (calls > 1) return new Response(null, { status: 304 });
      return new Response('[{"id":"a"}]', { headers: { etag: '"e"' } });
    });
    const source = createRecordsSource({
      url: 'https://data.example/r.json',
      fetch: fakeFetch,
      minDelay: 0.01,
      maxDelay: 0.5,
      backoff: 3,
      logger: { warn: () => undefined },
    });
    await source.ready();
    await checkSchedule(clock, [10, 30, 90, 270, 500, 500], () => calls);
    source.close();
  });
});

async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Checks that poll n+2 comes exactly `expected[n]` ms after poll n+1 (fake timeouts). */
async function checkSchedule(
  clock: FakeClock,
  expected: number[],
  calls: () => number,
): Promise<void> {
  for (const [i, delay] of expected.entries()) {
    clock.tick(delay - 1);
    await settle();
    assert.equal(calls(), i + 1, `poll ${i + 2} came before ${delay} ms`);
    clock.tick(1);
    await settle();
    assert.equal(calls(), i + 2, `poll ${i + 2} did not come after ${delay} ms`);
  }
}

interface FakeClock {
  /** Moves the clock on by `ms`, running every timeout that falls due, in order. */
  tick(ms: number): void;
}

/**
 * Replaces `setTimeout` and `clearTimeout` for one test: a timeout runs only when `tick` moves
 * the clock past it. Written here because node:test's mock timers are experimental on Node 20
 * (they print an ExperimentalWarning); this is all these tests need of them.
 */
function fakeTimeouts(t: TestContext): FakeClock {
  const realSetTimeout = globalThis.setTimeout;
  const realClearTimeout = globalThis.clearTimeout;
  let now = 0;
  let nextId = 1;
  const due = new Map<number, { at: number; run: () => void }>();
  class FakeTimeout {
    constructor(readonly id: number) {}
    ref(): this {
      return this;
    }
    unref(): this {
      return this;
    }
    hasRef(): boolean {
      return false;
    }
    [Symbol.toPrimitive](): number {
      return this.id;
    }
  }
  globalThis.setTimeout = ((run: (...args: unknown[]) => void, ms = 0, ...args: unknown[]) => {
    const id = nextId++;
    // As Node does, a delay below 1 ms is 1 ms.
    due.set(id, { at: now + Math.max(1, ms), run: () => run(...args) });
    return new FakeTimeout(id);
  }) as unknown as typeof setTimeout;
  globalThis.clearTimeout = (handle: unknown) => {
    if (handle instanceof FakeTimeout) due.delete(handle.id);
  };
  t.after(() => {
    globalThis.setTimeout = realSetTimeout;
    globalThis.clearTimeout = realClearTimeout;
  });
  return {
    tick(ms) {
      const until = now + ms;
      for (;;) {
        let next: [number, { at: number; run: () => void }] | undefined;
        for (const entry of due)
          if (entry[1].at <= until && (!next || entry[1].at < next[1].at)) next = entry;
        if (!next) break;
        due.delete(next[0]);
        now = next[1].at;
        next[1].run();
      }
      now = until;
    },
  };
}

/** A `fetch` that answers every request with `answer`'s response, as the network would: later. */
function fetchAnswering(answer: (init?: RequestInit) => Response): typeof fetch {
  return (_url, init) => Promise.resolve(answer(init));
}
