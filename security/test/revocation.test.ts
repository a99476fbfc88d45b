// Revocation against the verified-token cache: a revoked or expired service account may pass
// from the cache for at most `cache.maxAge` (default 60 s); after that the record decides.
// Real waits of a fraction of a second; nothing asserts how long anything took.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createPomeriumAuth,
  PomeriumAuthError,
  type ServiceAccountRecord,
} from '@pomerium-auth/core';
import { createTestIssuer, serviceAccountHeaders } from '@pomerium-auth/testing';
import { settle, sleep } from './lib/wait.js';

const issuer = await createTestIssuer();
after(() => issuer.close());
const quiet = { warn: () => undefined };
const request = (token: string) => ({
  method: 'GET',
  url: '/',
  headers: serviceAccountHeaders(token),
});

function setup(cache: { maxAge: number } | false) {
  const records = new Map<string, ServiceAccountRecord>([['sa-1', { id: 'sa-1', userId: 'bot' }]]);
  let lookups = 0;
  const auth = createPomeriumAuth({
    env: false,
    sharedSecret: issuer.sharedSecret,
    serviceAccounts: (id) => {
      lookups++;
      return records.get(id) ?? null;
    },
    cache,
    audit: false,
    logger: quiet,
  });
  return { records, auth, lookups: () => lookups };
}

/** Two passing requests: the cache stores a token at its second verification (its doorkeeper). */
async function primeCache(auth: ReturnType<typeof setup>['auth'], token: string): Promise<void> {
  assert.equal(await reasonOf(auth.authenticate(request(token))), 'pass "bot"');
  assert.equal(await reasonOf(auth.authenticate(request(token))), 'pass "bot"');
}

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  const { error, value } = await settle(promise);
  if (error === undefined)
    return `pass ${JSON.stringify((value as { user?: { id?: string } })?.user?.id)}`;
  assert.ok(error instanceof PomeriumAuthError);
  return `${error.status} ${error.reason}`;
}

test('a deleted account is refused once the cache entry runs out (maxAge 0.2 s)', async () => {
  const { records, auth, lookups } = setup({ maxAge: 0.2 });
  const token = issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' });
  await primeCache(auth, token);
  records.delete('sa-1');
  assert.equal(
    await reasonOf(auth.authenticate(request(token))),
    'pass "bot"',
    'within maxAge the cache still answers',
  );
  assert.equal(lookups(), 2, 'the third request was served from the cache');
  await sleep(300);
  assert.equal(await reasonOf(auth.authenticate(request(token))), '401 unknown_service_account');
});

test('an account whose record expires is refused once the cache entry runs out', async () => {
  const { records, auth } = setup({ maxAge: 0.2 });
  records.set('sa-1', { id: 'sa-1', userId: 'bot', expiresAt: new Date(Date.now() + 150) });
  const token = issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' });
  await primeCache(auth, token);
  await sleep(300);
  assert.equal(await reasonOf(auth.authenticate(request(token))), '401 service_account_expired');
});

test('an account moved to another user is refused once the cache entry runs out', async () => {
  const { records, auth } = setup({ maxAge: 0.2 });
  const token = issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' });
  await primeCache(auth, token);
  records.set('sa-1', { id: 'sa-1', userId: 'someone-else' });
  assert.equal(
    await reasonOf(auth.authenticate(request(token))),
    'pass "bot"',
    'within maxAge the cache still answers',
  );
  await sleep(300);
  assert.equal(await reasonOf(auth.authenticate(request(token))), '401 service_account_mismatch');
});

test('without a cache, revocation is immediate', async () => {
  const { records, auth, lookups } = setup(false);
  const token = issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' });
  assert.equal(await reasonOf(auth.authenticate(request(token))), 'pass "bot"');
  records.delete('sa-1');
  assert.equal(await reasonOf(auth.authenticate(request(token))), '401 unknown_service_account');
  assert.equal(lookups(), 2);
});

test('maxAge 0 caches nothing: revocation is immediate', async () => {
  const { records, auth } = setup({ maxAge: 0 });
  const token = issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' });
  await primeCache(auth, token);
  records.delete('sa-1');
  assert.equal(await reasonOf(auth.authenticate(request(token))), '401 unknown_service_account');
});

test('a failed verification is never cached: a restored account passes at once', async () => {
  const { records, auth } = setup({ maxAge: 60 });
  const token = issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' });
  records.delete('sa-1');
  assert.equal(await reasonOf(auth.authenticate(request(token))), '401 unknown_service_account');
  records.set('sa-1', { id: 'sa-1', userId: 'bot' });
  assert.equal(await reasonOf(auth.authenticate(request(token))), 'pass "bot"');
});
