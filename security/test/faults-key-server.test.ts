// Key-server faults against the loopback JWKS server of @pomerium-auth/testing: down, slow,
// malformed, failing, oversized, endless, trickling, rotated and flooded, alone or beside a
// healthy second key server. No key at all is 503 with Retry-After, never 401 and never a pass;
// keys once fetched keep working while the server fails; a hostile body is read no further than
// its size bound; requests that need a refetch share it; random kids cause at most one refetch
// per cooldown.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import {
  createPomeriumAuth,
  PomeriumAuthError,
  type PomeriumAuthOptions,
} from '@pomerium-auth/core';
import {
  assertionHeaders,
  createTestIssuer,
  type JwksServer,
  type TestIssuer,
} from '@pomerium-auth/testing';
import { eventually, settle, sleep } from './lib/wait.js';

const MiB = 1 << 20;
/** Far below the hostile bodies' sizes: what a reader that stops at 1 MiB lets the server write. */
const READ_BOUND = 16 * MiB;

const quiet = { warn: () => undefined };
const issuers: TestIssuer[] = [];
after(async () => {
  await Promise.all(issuers.map((i) => i.close()));
});

async function setup(
  jwks: PomeriumAuthOptions['jwks'] = {},
  extra: PomeriumAuthOptions = {},
): Promise<{ issuer: TestIssuer; keys: JwksServer; auth: ReturnType<typeof createPomeriumAuth> }> {
  const issuer = await createTestIssuer();
  issuers.push(issuer);
  const keys = await issuer.serve();
  const auth = createPomeriumAuth({
    env: false,
    jwksUrl: keys.url,
    issuer: issuer.issuer,
    audience: issuer.audience,
    jwks: { timeout: 300, ...jwks },
    cache: false,
    audit: false,
    logger: quiet,
    ...extra,
  });
  return { issuer, keys, auth };
}

const request = (token: string) => ({ method: 'GET', url: '/', headers: assertionHeaders(token) });

async function expectError(
  promise: Promise<unknown>,
  status: number,
  error: string,
  reason?: string,
): Promise<PomeriumAuthError> {
  const outcome = await settle(promise);
  assert.ok(
    outcome.error instanceof PomeriumAuthError,
    `expected ${status} ${error}, got ${outcome.error === undefined ? 'a pass' : inspect(outcome.error)}`,
  );
  assert.equal(outcome.error.status, status);
  assert.equal(outcome.error.error, error);
  if (reason) assert.equal(outcome.error.reason, reason);
  return outcome.error;
}

/** A fetch that drops Cache-Control, so the key set's freshness is `jwks.maxAge` (the test server always says 60 s). */
const noCacheControl: typeof fetch = async (input, init) => {
  const res = await fetch(input, init);
  const headers = new Headers(res.headers);
  headers.delete('cache-control');
  return new Response(await res.text(), { status: res.status, headers });
};

describe('no key can be had: 503 temporarily_unavailable with Retry-After', () => {
  for (const [mode, options] of [
    ['down', {}],
    ['error', {}],
    ['error', { status: 404 }],
    ['slow', { delayMs: 5_000 }],
    ['malformed', {}],
    ['malformed', { body: '{"keys":"not an array"}' }],
    ['malformed', { body: '{"keys":[]}' }],
    ['malformed', { body: '{"keys":[{"kty":"oct","k":"c2VjcmV0"},{"kty":"EC","crv":"P-256"}]}' }],
    ['malformed', { body: 'null' }],
    ['huge', { bytes: 64 * MiB }],
    ['huge', { bytes: 64 * MiB, contentLength: false }],
    ['huge', { bytes: 64 * MiB, gzip: true }],
    ['endless', {}],
    ['trickle', { intervalMs: 1000 }],
  ] as const) {
    test(`key server ${mode} ${JSON.stringify(options)} at start`, async () => {
      const { issuer, keys, auth } = await setup();
      keys.fault(mode, options);
      const err = await expectError(
        auth.authenticate(request(issuer.mintAssertion())),
        503,
        'temporarily_unavailable',
        'keys_unavailable',
      );
      assert.equal(err.headers['Retry-After'], '5');
      assert.deepEqual(err.toJSON(), {
        error: 'temporarily_unavailable',
        error_description: err.description,
      });
      await sleep(20);
      assert.ok(keys.bytesSent < READ_BOUND, `${keys.bytesSent} body bytes sent`);
      await keys.close();
    });
  }

  test('recovers once the key server is back', async () => {
    const { issuer, keys, auth } = await setup();
    keys.fault('error');
    await expectError(
      auth.authenticate(request(issuer.mintAssertion())),
      503,
      'temporarily_unavailable',
    );
    keys.fault('none');
    // The retry backoff starts at 1 s: poll until it passes (a liveness bound, not a timing check).
    await eventually(
      async () =>
        (await settle(auth.authenticate(request(issuer.mintAssertion())))).value !== undefined,
      'recovery',
    );
  });

  test('a burst of requests while the key server fails makes one fetch, not one per request', async () => {
    const { issuer, keys, auth } = await setup();
    keys.fault('error');
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, () => settle(auth.authenticate(request(issuer.mintAssertion())))),
    );
    for (const o of outcomes) assert.equal((o.error as PomeriumAuthError).status, 503);
    assert.ok(keys.requestCount <= 2, `${keys.requestCount} key-set requests for 200 requests`);
  });
});

describe('keys once fetched keep working while the key server fails', () => {
  for (const [mode, options] of [
    ['down', {}],
    ['error', {}],
    ['malformed', {}],
    ['slow', { delayMs: 5_000 }],
    ['huge', { bytes: 64 * MiB, contentLength: false }],
    ['endless', {}],
    ['trickle', { intervalMs: 1000 }],
  ] as const) {
    test(`key server ${mode} after the first fetch`, async () => {
      const { issuer, keys, auth } = await setup({ fetch: noCacheControl, maxAge: 0.05 });
      assert.equal(
        (await auth.authenticate(request(issuer.mintAssertion({ sub: 'alice' }))))?.user.id,
        'alice',
      );
      const fetched = keys.requestCount;
      keys.fault(mode, options);
      await sleep(100); // the key set is now stale: the next request starts a background refetch
      for (let i = 0; i < 5; i++) {
        assert.equal(
          (await auth.authenticate(request(issuer.mintAssertion({ sub: `alice-${i}` }))))?.user.id,
          `alice-${i}`,
        );
      }
      if (mode !== 'down') await eventually(() => keys.requestCount > fetched, 'a refetch attempt');
      // An unknown kid while the server fails is a bad token (401), not an outage: the set is known.
      await expectError(
        auth.authenticate(request(issuer.mintAssertion({}, { header: { kid: 'unknown' } }))),
        401,
        'invalid_token',
        'unknown_key',
      );
      await keys.close();
    });
  }
});

describe('rotation', () => {
  test('a new kid is accepted (after the cooldown since the last fetch); a removed one is refused once the set is refetched', async () => {
    const { issuer, keys, auth } = await setup({ cooldown: 0.2 });
    const old = issuer.keys[0]!;
    assert.ok(await auth.authenticate(request(issuer.mintAssertion())));
    const fresh = await issuer.rotateKeys();
    await sleep(300); // past the cooldown since the last fetch: an unknown kid may refetch
    const viaNew = await auth.authenticate(request(issuer.mintAssertion({ sub: 'new-key-user' })));
    assert.equal(viaNew?.user.id, 'new-key-user', 'unknown kid triggers a refetch');
    assert.notEqual(fresh.kid, old.kid);
    issuer.removeKey(old.kid);
    await sleep(300); // past the cooldown: the next unknown kid may refetch
    await expectError(
      auth.authenticate(request(issuer.mintAssertion({}, { header: { kid: 'nobody' } }))),
      401,
      'invalid_token',
      'unknown_key',
    );
    await expectError(
      auth.authenticate(request(issuer.mintAssertion({}, { key: old }))),
      401,
      'invalid_token',
      'unknown_key',
    );
    assert.ok(await auth.authenticate(request(issuer.mintAssertion())));
    await keys.close();
  });
});

describe('rotation under concurrency', () => {
  test('fifty simultaneous requests signed with a newly published key all pass, after exactly one refetch', async () => {
    const { issuer, keys, auth } = await setup();
    assert.ok(await auth.authenticate(request(issuer.mintAssertion())));
    await issuer.rotateKeys(); // the new key signs from now on
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        settle(auth.authenticate(request(issuer.mintAssertion({ sub: `user-${i}` })))),
      ),
    );
    const refused = outcomes.filter((o) => o.value === undefined);
    assert.equal(
      refused.length,
      0,
      `${refused.length} of 50 refused, e.g. ${String(refused[0]?.error)}`,
    );
    assert.deepEqual(
      outcomes.map((o) => o.value?.user.id),
      Array.from({ length: 50 }, (_, i) => `user-${i}`),
    );
    assert.equal(keys.requestCount, 2, 'the first fetch and one refetch');
  });
});

describe('several key servers (jwksUrl as a list)', () => {
  async function pair(): Promise<{
    a: TestIssuer;
    b: TestIssuer;
    aKeys: JwksServer;
    bKeys: JwksServer;
    auth: ReturnType<typeof createPomeriumAuth>;
  }> {
    const a = await createTestIssuer();
    const b = await createTestIssuer({ host: a.host });
    issuers.push(a, b);
    const [aKeys, bKeys] = [await a.serve(), await b.serve()];
    const auth = createPomeriumAuth({
      env: false,
      jwksUrl: [aKeys.url, bKeys.url],
      issuer: a.issuer,
      audience: a.audience,
      jwks: { timeout: 300 },
      cache: false,
      audit: false,
      logger: quiet,
    });
    return { a, b, aKeys, bKeys, auth };
  }

  for (const [mode, options] of [
    ['down', {}],
    ['error', {}],
    ['slow', { delayMs: 5_000 }],
    ['malformed', {}],
    ['huge', { bytes: 64 * MiB, contentLength: false }],
    ['endless', {}],
    ['trickle', { intervalMs: 1000 }],
  ] as const) {
    test(`first server ${mode}: the second server's keys verify, the first's are 503; both ${mode}: 503`, async () => {
      const { a, b, aKeys, bKeys, auth } = await pair();
      aKeys.fault(mode, options);
      assert.equal(
        (await auth.authenticate(request(b.mintAssertion({ sub: 'via-b' }))))?.user.id,
        'via-b',
      );
      await expectError(
        auth.authenticate(request(a.mintAssertion())),
        503,
        'temporarily_unavailable',
        'keys_unavailable',
      );
      const c = await pair();
      c.aKeys.fault(mode, options);
      c.bKeys.fault(mode, options);
      for (const issuer of [c.a, c.b])
        await expectError(
          c.auth.authenticate(request(issuer.mintAssertion())),
          503,
          'temporarily_unavailable',
          'keys_unavailable',
        );
      await sleep(20);
      for (const server of [aKeys, c.aKeys, c.bKeys])
        assert.ok(server.bytesSent < READ_BOUND, `${server.bytesSent} body bytes sent`);
      await Promise.all([aKeys, bKeys, c.aKeys, c.bKeys].map((server) => server.close()));
    });
  }
});

describe('flood of random kids', () => {
  test('at most one refetch per cooldown (default 30 s), every request refused as unknown_key', async () => {
    const { issuer, keys, auth } = await setup();
    assert.ok(await auth.authenticate(request(issuer.mintAssertion())));
    const before = keys.requestCount;
    for (let batch = 0; batch < 10; batch++) {
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, () =>
          settle(
            auth.authenticate(request(issuer.mintAssertion({}, { header: { kid: randomUUID() } }))),
          ),
        ),
      );
      for (const o of outcomes) assert.equal((o.error as PomeriumAuthError).reason, 'unknown_key');
    }
    assert.ok(
      keys.requestCount - before <= 1,
      `${keys.requestCount - before} refetches for 500 random kids`,
    );
    // Genuine tokens are unaffected.
    assert.ok(await auth.authenticate(request(issuer.mintAssertion())));
    await keys.close();
  });

  test('with a short cooldown, refetches stay within one per cooldown period', async () => {
    const { issuer, keys, auth } = await setup({ cooldown: 0.1 });
    assert.ok(await auth.authenticate(request(issuer.mintAssertion())));
    const before = keys.requestCount;
    const started = Date.now();
    let sent = 0;
    while (Date.now() - started < 500) {
      await Promise.all(
        Array.from({ length: 20 }, () =>
          settle(
            auth.authenticate(request(issuer.mintAssertion({}, { header: { kid: randomUUID() } }))),
          ),
        ),
      );
      sent += 20;
    }
    const elapsed = Date.now() - started;
    const allowed = Math.floor(elapsed / 100) + 1;
    assert.ok(
      keys.requestCount - before <= allowed,
      `${keys.requestCount - before} refetches in ${elapsed} ms for ${sent} requests (bound ${allowed})`,
    );
    await keys.close();
  });
});
