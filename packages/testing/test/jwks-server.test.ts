import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createTestIssuer, startJwksServer, JWKS_PATH } from '@pomerium-auth/testing';

async function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

test('serves the key set with Cache-Control max-age=60 and counts requests', async (t) => {
  const issuer = await createTestIssuer();
  const server = await issuer.serve();
  t.after(() => issuer.close());
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/\.well-known\/pomerium\/jwks\.json$/);
  assert.equal(server.url, `${server.origin}${JWKS_PATH}`);
  assert.equal(server.requestCount, 0);
  const res = await fetch(server.url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'max-age=60');
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(await res.json(), issuer.jwks());
  await fetch(server.url);
  assert.equal(server.requestCount, 2);
});

test('serves the discovery document like Pomerium, without counting it as a key request', async (t) => {
  const issuer = await createTestIssuer({ host: 'app.example.com' });
  const server = await issuer.serve();
  t.after(() => issuer.close());
  const res = await fetch(`${server.origin}/.well-known/pomerium`);
  assert.deepEqual(await res.json(), { issuer: 'https://app.example.com/', jwks_uri: server.url });
  assert.equal(server.requestCount, 0);
  assert.equal((await fetch(`${server.origin}/elsewhere`)).status, 404);
  assert.equal((await fetch(server.url, { method: 'POST' })).status, 405);
});

test('publishes rotation live', async (t) => {
  const issuer = await createTestIssuer();
  const server = await issuer.serve();
  t.after(() => issuer.close());
  const fresh = await issuer.rotateKeys();
  const body = (await (await fetch(server.url)).json()) as { keys: Array<{ kid: string }> };
  assert.equal(body.keys[0]?.kid, fresh.kid);
  assert.equal(body.keys.length, 2);
});

test('takes a static key set and a custom max-age', async (t) => {
  const server = await startJwksServer({ jwks: { keys: [] }, maxAge: 5 });
  t.after(() => server.close());
  const res = await fetch(server.url);
  assert.equal(res.headers.get('cache-control'), 'max-age=5');
  assert.deepEqual(await res.json(), { keys: [] });
});

test('fault "down" drops connections, including kept-alive ones, and "none" restores service', async (t) => {
  const issuer = await createTestIssuer();
  const server = await issuer.serve();
  t.after(() => issuer.close());
  await (await fetch(server.url)).text();
  server.fault('down');
  await assert.rejects(within(2000, fetch(server.url)), TypeError);
  await assert.rejects(
    within(
      2000,
      new Promise((resolve, reject) => request(server.url, resolve).on('error', reject).end()),
    ),
    /ECONNRESET|socket hang up/,
  );
  server.fault('none');
  assert.equal((await fetch(server.url)).status, 200);
});

test('fault "slow" answers after the delay', async (t) => {
  const issuer = await createTestIssuer();
  const server = await issuer.serve();
  t.after(() => issuer.close());
  server.fault('slow', { delayMs: 150 });
  const started = performance.now();
  const res = await fetch(server.url);
  assert.ok(performance.now() - started >= 140);
  assert.equal(res.status, 200);
  await assert.rejects(fetch(server.url, { signal: AbortSignal.timeout(30) }), {
    name: 'TimeoutError',
  });
});

test('fault "malformed" serves a body that is not a key set', async (t) => {
  const server = await startJwksServer({ jwks: { keys: [] } });
  t.after(() => server.close());
  server.fault('malformed');
  const res = await fetch(server.url);
  assert.equal(res.status, 200);
  await assert.rejects(res.json(), SyntaxError);
  server.fault('malformed', { body: '{"keys":"nope"}' });
  assert.deepEqual(await (await fetch(server.url)).json(), { keys: 'nope' });
  assert.equal(server.requestCount, 2);
});

test('fault "error" answers 500, or the status asked for', async (t) => {
  const server = await startJwksServer({ jwks: { keys: [] } });
  t.after(() => server.close());
  server.fault('error');
  assert.equal((await fetch(server.url)).status, 500);
  server.fault('error', { status: 503 });
  assert.equal((await fetch(server.url)).status, 503);
  assert.equal(server.requestCount, 2);
  assert.throws(() => server.fault('sideways' as never), TypeError);
});

test('close() ends delayed answers and open connections without hanging, and can be called twice', async () => {
  const server = await startJwksServer({ jwks: { keys: [] } });
  server.fault('slow', { delayMs: 60_000 });
  const pending = fetch(server.url).then(
    (res) => res.status,
    (error: unknown) => error,
  );
  while (server.requestCount === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  await within(2000, server.close());
  await within(2000, server.close());
  assert.ok((await within(2000, pending)) instanceof TypeError);
  await assert.rejects(fetch(server.url), TypeError);
});

test('an issuer closes every server it started', async () => {
  const issuer = await createTestIssuer();
  const a = await issuer.serve();
  const b = await issuer.serve({ maxAge: 1 });
  await within(2000, issuer.close());
  await assert.rejects(fetch(a.url), TypeError);
  await assert.rejects(fetch(b.url), TypeError);
});

/** Reads a body up to `limit` bytes, then cancels it; the byte count read. */
async function readUpTo(res: Response, limit: number): Promise<number> {
  const reader: ReadableStreamDefaultReader<Uint8Array> = res.body!.getReader();
  let total = 0;
  while (total <= limit) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
  }
  await reader.cancel();
  return total;
}

test('fault "huge" serves the key set padded to the size asked for, with or without Content-Length', async (t) => {
  const issuer = await createTestIssuer();
  const server = await issuer.serve();
  t.after(() => issuer.close());
  server.fault('huge', { bytes: 200_000 });
  let res = await fetch(server.url);
  assert.equal(res.headers.get('content-length'), '200000');
  const text = await res.text();
  assert.equal(text.length, 200_000);
  assert.deepEqual(JSON.parse(text), issuer.jwks());
  assert.equal(server.bytesSent, 200_000);
  server.fault('huge', { bytes: 200_000, contentLength: false });
  res = await fetch(server.url);
  assert.equal(res.headers.get('content-length'), null);
  assert.deepEqual(JSON.parse(await res.text()), issuer.jwks());
  server.fault('huge', { bytes: 200_000, gzip: true });
  res = await fetch(server.url);
  assert.equal(res.headers.get('content-encoding'), 'gzip');
  assert.deepEqual(JSON.parse(await res.text()), issuer.jwks());
});

test('fault "huge" and "endless" write only as fast as the client reads, and stop when it leaves', async (t) => {
  const server = await startJwksServer({ jwks: { keys: [] } });
  t.after(() => server.close());
  for (const [mode, options] of [
    ['huge', { bytes: 64 << 20 }],
    ['endless', {}],
  ] as const) {
    server.fault(mode, options);
    const before = server.bytesSent;
    const res = await fetch(server.url);
    assert.ok((await readUpTo(res, 1 << 20)) > 1 << 20);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const sent = server.bytesSent - before;
    // What the client read plus what the socket buffers held: far below the 64 MiB offered.
    assert.ok(sent < 32 << 20, `${mode}: ${sent} bytes written`);
  }
});

test('fault "endless" stalls after `bytes` without ending the body', async (t) => {
  const server = await startJwksServer({ jwks: { keys: [] } });
  t.after(() => server.close());
  server.fault('endless', { bytes: 100_000 });
  const reader: ReadableStreamDefaultReader<Uint8Array> = (
    await fetch(server.url)
  ).body!.getReader();
  let total = 0;
  for (;;) {
    const next = await Promise.race([
      reader.read(),
      new Promise<'stalled'>((resolve) => setTimeout(resolve, 300, 'stalled')),
    ]);
    if (next === 'stalled') break;
    assert.equal(next.done, false, 'the body never ends');
    total += next.value.byteLength;
  }
  assert.ok(total > 0 && total <= 100_000, `${total} bytes before the stall`);
  assert.equal(server.bytesSent, total);
  await reader.cancel();
});

test('fault "trickle" sends the key set one byte per interval', async (t) => {
  const issuer = await createTestIssuer();
  const server = await issuer.serve();
  t.after(() => issuer.close());
  server.fault('trickle', { intervalMs: 1 });
  const res = await within(5000, fetch(server.url));
  assert.deepEqual(JSON.parse(await within(5000, res.text())), issuer.jwks());
  server.fault('trickle', { intervalMs: 60_000 });
  const slow = await within(2000, fetch(server.url));
  assert.equal(slow.status, 200);
  await slow.body?.cancel();
});
