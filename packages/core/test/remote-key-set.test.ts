// RemoteKeySet against a real loopback key server: one fetch in flight that every request
// needing it joins, a cooldown that only limits starting new fetches, and a response read only
// up to `maxBytes` and only for `timeout` milliseconds.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PomeriumAuthError, type JwksOptions } from '@pomerium-auth/core';
import { RemoteKeySet, type VerificationKey } from '@pomerium-auth/core/internal';
import { createTestIssuer, type JwksServer, type TestIssuer } from '@pomerium-auth/testing';

const issuers: TestIssuer[] = [];
after(async () => {
  await Promise.all(issuers.map((i) => i.close()));
});

async function setup(
  options: JwksOptions = {},
): Promise<{ issuer: TestIssuer; server: JwksServer; keys: RemoteKeySet }> {
  const issuer = await createTestIssuer();
  issuers.push(issuer);
  const server = await issuer.serve();
  return { issuer, server, keys: new RemoteKeySet(server.url, options) };
}

/** keysFor's outcome, whether it answered at once, threw at once, or had to wait. */
async function keysFor(
  keys: RemoteKeySet,
  kid: string | undefined,
  alg = 'ES256',
): Promise<{ keys?: VerificationKey[]; error?: PomeriumAuthError }> {
  try {
    return { keys: await keys.keysFor(kid, alg) };
  } catch (error) {
    assert.ok(error instanceof PomeriumAuthError, `not a PomeriumAuthError: ${String(error)}`);
    return { error };
  }
}

function assertRefused(
  outcome: { keys?: VerificationKey[]; error?: PomeriumAuthError },
  status: number,
  reason: string,
): void {
  assert.equal(outcome.keys, undefined, 'expected a refusal, got keys');
  assert.equal(outcome.error?.status, status);
  assert.equal(outcome.error?.reason, reason);
}

/** A fetch that drops Cache-Control, so freshness follows `maxAge` (the server says 60 s). */
const noCacheControl: typeof fetch = async (input, init) => {
  const res = await fetch(input, init);
  const headers = new Headers(res.headers);
  headers.delete('cache-control');
  return new Response(res.body, { status: res.status, headers });
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a remote key set under rotation and concurrency', () => {
  test('fifty simultaneous requests for a newly published kid all wait for one refetch and all get the key', async () => {
    const { issuer, server, keys } = await setup();
    assert.ok((await keysFor(keys, issuer.keys[0]!.kid)).keys);
    const fresh = await issuer.rotateKeys();
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => keysFor(keys, fresh.kid)));
    const passed = outcomes.filter((o) => o.keys?.[0]?.kid === fresh.kid).length;
    assert.equal(passed, 50, `${passed} of 50 got the new key`);
    assert.equal(server.requestCount, 2, 'one initial fetch and exactly one refetch');
  });

  test('a request for an unknown kid while a fetch is in flight joins it, even a background refresh', async () => {
    const { issuer, server, keys } = await setup({ fetch: noCacheControl, maxAge: 0.05 });
    const old = issuer.keys[0]!;
    assert.ok((await keysFor(keys, old.kid)).keys);
    const fresh = await issuer.rotateKeys();
    await sleep(100); // stale now: the next request refreshes in the background
    server.fault('slow', { delayMs: 150 });
    const known = keys.keysFor(old.kid, 'ES256');
    assert.ok(Array.isArray(known), 'a held key is answered at once while the set refreshes');
    const joined = await Promise.all([keysFor(keys, fresh.kid), keysFor(keys, fresh.kid)]);
    for (const o of joined) assert.equal(o.keys?.[0]?.kid, fresh.kid);
    assert.equal(server.requestCount, 2, 'both joined the background refresh');
  });

  test('an unknown kid just after a refetch that lacked it is refused without another fetch', async () => {
    const { issuer, server, keys } = await setup({ cooldown: 60 });
    assert.ok((await keysFor(keys, issuer.keys[0]!.kid)).keys);
    assertRefused(await keysFor(keys, 'random-1'), 401, 'unknown_key');
    assert.equal(server.requestCount, 2, 'the first unknown kid refetched');
    const fresh = await issuer.rotateKeys();
    for (const kid of ['random-2', fresh.kid])
      assertRefused(await keysFor(keys, kid), 401, 'unknown_key');
    assert.equal(server.requestCount, 2, 'within the cooldown nothing new is fetched');
  });

  test('after the cooldown an unknown kid refetches again', async () => {
    const { issuer, server, keys } = await setup({ cooldown: 0.1 });
    assert.ok((await keysFor(keys, issuer.keys[0]!.kid)).keys);
    assertRefused(await keysFor(keys, 'random-1'), 401, 'unknown_key');
    const fresh = await issuer.rotateKeys();
    await sleep(150);
    assert.equal((await keysFor(keys, fresh.kid)).keys?.[0]?.kid, fresh.kid);
    assert.equal(server.requestCount, 3);
  });

  test('a token without kid is checked against the held keys, without a refetch', async () => {
    const { issuer, server, keys } = await setup();
    assert.equal((await keysFor(keys, undefined)).keys?.length, 1);
    assertRefused(await keysFor(keys, undefined, 'RS256'), 401, 'unknown_key');
    assert.equal(server.requestCount, 1);
    assert.equal(issuer.keys.length, 1);
  });
});

describe('a key set response is read only up to jwks.maxBytes', () => {
  const MiB = 1 << 20;

  for (const [name, fault] of [
    ['a 64 MiB body with its Content-Length', { bytes: 64 * MiB }],
    ['a 64 MiB chunked body (no Content-Length)', { bytes: 64 * MiB, contentLength: false }],
    ['a gzip body that decodes to 64 MiB', { bytes: 64 * MiB, gzip: true }],
  ] as const) {
    test(`refuses ${name} after reading at most about maxBytes`, async () => {
      const { issuer, server, keys } = await setup({ timeout: 10_000 });
      server.fault('huge', fault);
      const rss = process.memoryUsage().rss;
      assertRefused(await keysFor(keys, issuer.keys[0]!.kid), 503, 'keys_unavailable');
      const grown = process.memoryUsage().rss - rss;
      assert.match(keys.state().lastError ?? '', /larger than maxBytes \(1048576\)/);
      await sleep(50);
      // The bytes read plus what the socket buffers held, far below the body's size.
      assert.ok(server.bytesSent < 16 * MiB, `${server.bytesSent} bytes of 64 MiB were sent`);
      assert.ok(grown < 32 * MiB, `rss grew by ${grown} bytes`);
    });
  }

  test(
    'refuses an endless body at the size bound, not at the timeout',
    { timeout: 30_000 },
    async () => {
      const { issuer, server, keys } = await setup({ timeout: 10_000 });
      server.fault('endless');
      assertRefused(await keysFor(keys, issuer.keys[0]!.kid), 503, 'keys_unavailable');
      assert.match(keys.state().lastError ?? '', /larger than maxBytes/);
      await sleep(50);
      assert.ok(server.bytesSent < 16 * MiB, `${server.bytesSent} bytes were sent`);
    },
  );

  test('accepts a key set of exactly maxBytes and refuses one byte more', async () => {
    const { issuer, server, keys } = await setup({ maxBytes: 50_000 });
    server.fault('huge', { bytes: 50_000, contentLength: false });
    assert.equal((await keysFor(keys, issuer.keys[0]!.kid)).keys?.length, 1);
    const { server: server2, keys: keys2 } = await setup({ maxBytes: 50_000 });
    server2.fault('huge', { bytes: 50_001, contentLength: false });
    assertRefused(await keysFor(keys2, 'any'), 503, 'keys_unavailable');
    assert.equal(server.requestCount + server2.requestCount, 2);
  });

  test(
    'bounds the whole read by the timeout: a body trickling one byte per second is abandoned',
    {
      timeout: 15_000,
    },
    async () => {
      const { issuer, server, keys } = await setup({ timeout: 300 });
      server.fault('trickle', { intervalMs: 1000 });
      assertRefused(await keysFor(keys, issuer.keys[0]!.kid), 503, 'keys_unavailable');
      assert.match(keys.state().lastError ?? '', /timed out after 300 ms/);
      assert.ok(server.bytesSent <= 2, `${server.bytesSent} bytes trickled before the timeout`);
    },
  );

  test(
    'bounds the read by the timeout while a body keeps flowing fast',
    { timeout: 15_000 },
    async () => {
      // AbortSignal.timeout() holds its signal weakly: a body that makes the heap churn could
      // have the signal collected and the timeout never fire. The size bound here is out of
      // reach: the server stalls after 64 MiB and only the timeout can end the read.
      const { issuer, server, keys } = await setup({ timeout: 200, maxBytes: 128 * MiB });
      server.fault('endless');
      assertRefused(await keysFor(keys, issuer.keys[0]!.kid), 503, 'keys_unavailable');
      assert.match(keys.state().lastError ?? '', /timed out after 200 ms|aborted due to timeout/);
    },
  );

  test(
    'bounds the read even when the fetch implementation ignores the abort signal',
    { timeout: 15_000 },
    async () => {
      const issuer = await createTestIssuer();
      issuers.push(issuer);
      const server = await issuer.serve();
      const deaf: typeof fetch = (input) => fetch(input); // no signal: only the reader can stop
      const keys = new RemoteKeySet(server.url, { timeout: 300, fetch: deaf });
      // The answer begins, then stops coming without ending: only the timeout can end the read.
      server.fault('endless', { bytes: 1000 });
      assertRefused(await keysFor(keys, issuer.keys[0]!.kid), 503, 'keys_unavailable');
      assert.match(keys.state().lastError ?? '', /timed out after 300 ms/);
      // An answer that does not even begin.
      server.fault('slow', { delayMs: 60_000 });
      const again = new RemoteKeySet(server.url, { timeout: 300, fetch: deaf });
      assertRefused(await keysFor(again, issuer.keys[0]!.kid), 503, 'keys_unavailable');
      assert.match(again.state().lastError ?? '', /timed out after 300 ms/);
      await server.close();
    },
  );
});
