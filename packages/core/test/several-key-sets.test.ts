// jwksUrl as a list (key rotation across key servers): keys from every URL are merged, one URL
// down does not stop the other's keys, and all down with nothing held is 503.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPomeriumAuth, type PomeriumAuthOptions } from '@pomerium-auth/core';
import {
  assertionHeaders,
  createTestIssuer,
  type JwksServer,
  type TestIssuer,
} from '@pomerium-auth/testing';
import { failure, request, ROUTE_HOST } from './fixtures.js';

const issuers: TestIssuer[] = [];
after(async () => {
  await Promise.all(issuers.map((i) => i.close()));
});

/** Two issuers of the same route, each with its own keys and key server. */
async function twoKeyServers(jwks: PomeriumAuthOptions['jwks'] = {}): Promise<{
  a: TestIssuer;
  b: TestIssuer;
  aKeys: JwksServer;
  bKeys: JwksServer;
  auth: ReturnType<typeof createPomeriumAuth>;
}> {
  const a = await createTestIssuer({ host: ROUTE_HOST });
  const b = await createTestIssuer({ host: ROUTE_HOST });
  issuers.push(a, b);
  const aKeys = await a.serve();
  const bKeys = await b.serve();
  const auth = createPomeriumAuth({
    env: false,
    jwksUrl: [aKeys.url, bKeys.url],
    audience: ROUTE_HOST,
    jwks: { timeout: 1000, ...jwks },
    cache: false,
    audit: false,
  });
  return { a, b, aKeys, bKeys, auth };
}

const userOf = async (
  auth: ReturnType<typeof createPomeriumAuth>,
  token: string,
): Promise<string | undefined> =>
  (await auth.authenticate(request(assertionHeaders(token))))?.user.id;

describe('several key set URLs', () => {
  test('verify tokens signed with the keys of either URL', async () => {
    const { a, b, aKeys, bKeys, auth } = await twoKeyServers();
    assert.equal(await userOf(auth, a.mintAssertion({ sub: 'from-a' })), 'from-a');
    assert.equal(await userOf(auth, b.mintAssertion({ sub: 'from-b' })), 'from-b');
    assert.equal(aKeys.requestCount, 1);
    assert.equal(bKeys.requestCount, 1);
  });

  test("one URL down from the start: the other's keys verify; the down one's are 503", async () => {
    const { a, b, aKeys, auth } = await twoKeyServers();
    aKeys.fault('down');
    assert.equal(await userOf(auth, b.mintAssertion({ sub: 'from-b' })), 'from-b');
    const err = await failure(auth.authenticate(request(assertionHeaders(a.mintAssertion()))));
    assert.equal(err.status, 503);
    assert.equal(err.reason, 'keys_unavailable');
  });

  test('a URL that hangs does not hold up a token whose key another URL served', async () => {
    const { b, aKeys, auth } = await twoKeyServers({ timeout: 10_000 });
    aKeys.fault('slow', { delayMs: 60_000 });
    const answer = await Promise.race([
      userOf(auth, b.mintAssertion({ sub: 'from-b' })),
      new Promise((resolve) => setTimeout(resolve, 5000, 'held up')),
    ]);
    assert.equal(answer, 'from-b');
    await aKeys.close();
  });

  test('one URL down after both were fetched: both sets keep verifying', async () => {
    const { a, b, aKeys, auth } = await twoKeyServers();
    assert.ok(await userOf(auth, a.mintAssertion()));
    assert.ok(await userOf(auth, b.mintAssertion()));
    aKeys.fault('down');
    assert.equal(await userOf(auth, a.mintAssertion({ sub: 'still-a' })), 'still-a');
    assert.equal(await userOf(auth, b.mintAssertion({ sub: 'still-b' })), 'still-b');
  });

  test('all down and nothing held: 503 temporarily_unavailable (keys_unavailable)', async () => {
    const { a, b, aKeys, bKeys, auth } = await twoKeyServers();
    aKeys.fault('down');
    bKeys.fault('error');
    for (const issuer of [a, b]) {
      const err = await failure(
        auth.authenticate(request(assertionHeaders(issuer.mintAssertion()))),
      );
      assert.equal(err.status, 503);
      assert.equal(err.error, 'temporarily_unavailable');
      assert.equal(err.reason, 'keys_unavailable');
    }
  });

  test('an unknown kid refetches every set once; each set then keeps its own cooldown', async () => {
    const { a, b, aKeys, bKeys, auth } = await twoKeyServers({ cooldown: 60 });
    assert.ok(await userOf(auth, a.mintAssertion()));
    assert.ok(await userOf(auth, b.mintAssertion()));
    const fresh = await b.rotateKeys();
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        userOf(auth, b.mintAssertion({ sub: `u${i}` }, { key: fresh })),
      ),
    );
    assert.deepEqual(
      outcomes,
      Array.from({ length: 20 }, (_, i) => `u${i}`),
    );
    assert.deepEqual([aKeys.requestCount, bKeys.requestCount], [2, 2]);
    const err = await failure(
      auth.authenticate(
        request(assertionHeaders(a.mintAssertion({}, { header: { kid: 'nobody' } }))),
      ),
    );
    assert.equal(err.reason, 'unknown_key');
    assert.deepEqual([aKeys.requestCount, bKeys.requestCount], [2, 2]);
  });

  test('the same key published at both URLs verifies (a route served by two Pomerium domains)', async () => {
    const a = await createTestIssuer({ host: ROUTE_HOST });
    issuers.push(a);
    const one = await a.serve();
    const two = await a.serve();
    const auth = createPomeriumAuth({
      env: false,
      jwksUrl: [one.url, two.url],
      audience: ROUTE_HOST,
      cache: false,
      audit: false,
    });
    assert.equal(await userOf(auth, a.mintAssertion({ sub: 'twice' })), 'twice');
    const err = await failure(
      auth.authenticate(
        request(
          assertionHeaders(
            a.mintAssertion({}, { header: { kid: a.keys[0]!.kid } }).slice(0, -4) + 'AAAA',
          ),
        ),
      ),
    );
    assert.equal(err.reason, 'bad_signature');
  });
});

describe('POMERIUM_JWKS_URL with several URLs', () => {
  test('takes URLs separated by commas or whitespace', async () => {
    const a = await createTestIssuer({ host: ROUTE_HOST });
    const b = await createTestIssuer({ host: ROUTE_HOST });
    issuers.push(a, b);
    const [aKeys, bKeys] = [await a.serve(), await b.serve()];
    for (const separator of [',', ' ', ' ,\n']) {
      const auth = createPomeriumAuth({
        env: {
          POMERIUM_JWKS_URL: ` ${aKeys.url}${separator}${bKeys.url} `,
          POMERIUM_AUDIENCE: ROUTE_HOST,
        },
        cache: false,
        audit: false,
      });
      assert.equal(await userOf(auth, a.mintAssertion({ sub: 'a' })), 'a');
      assert.equal(await userOf(auth, b.mintAssertion({ sub: 'b' })), 'b');
    }
  });
});
