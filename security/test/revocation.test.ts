// Revocation against the verified-token cache: a cached token is still checked against its
// account's record on every request, so a deleted, expired, moved or out-of-namespace account is
// refused at its next request, cached or not. Nothing asserts how long anything took.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createPomeriumAuth,
  PomeriumAuthError,
  type ServiceAccountRecord,
} from '@pomerium-auth/core';
import { createTestIssuer, serviceAccountHeaders } from '@pomerium-auth/testing';
import { settle } from './lib/wait.js';

const issuer = await createTestIssuer();
after(() => issuer.close());
const quiet = { warn: () => undefined };
const request = (token: string) => ({
  method: 'GET',
  url: '/',
  headers: serviceAccountHeaders(token),
});

function setup(cache: { maxAge: number } | false) {
  const records = new Map<string, ServiceAccountRecord>([
    ['sa-1', { id: 'sa-1', userId: 'bot', namespace: 'home' }],
  ]);
  let lookups = 0;
  const auth = createPomeriumAuth({
    env: false,
    sharedSecret: issuer.sharedSecret,
    namespace: 'home',
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

/** What happens to the account's record after the token was cached, and the answer that follows. */
const revocations: Array<[string, (records: Map<string, ServiceAccountRecord>) => void, string]> = [
  ['its record is deleted', (r) => r.delete('sa-1'), '401 unknown_service_account'],
  [
    'its record expires',
    (r) => r.set('sa-1', { id: 'sa-1', userId: 'bot', expiresAt: new Date(Date.now() - 1000) }),
    '401 service_account_expired',
  ],
  [
    'its record moves to another user',
    (r) => r.set('sa-1', { id: 'sa-1', userId: 'someone-else' }),
    '401 service_account_mismatch',
  ],
  [
    'its record moves to a namespace this service does not trust',
    (r) => r.set('sa-1', { id: 'sa-1', userId: 'bot', namespace: 'elsewhere' }),
    '401 namespace_mismatch',
  ],
];

for (const [what, change, answer] of revocations) {
  test(`a cached token is refused at its next request once ${what}`, async () => {
    const { records, auth, lookups } = setup({ maxAge: 60 });
    const token = issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' });
    await primeCache(auth, token);
    assert.equal(await reasonOf(auth.authenticate(request(token))), 'pass "bot"');
    const before = lookups();
    change(records);
    assert.equal(await reasonOf(auth.authenticate(request(token))), answer);
    assert.equal(lookups(), before + 1, 'the record was consulted for the cached token');
    // Nothing about the refusal was cached either way: restored, it passes at once.
    records.set('sa-1', { id: 'sa-1', userId: 'bot', namespace: 'home' });
    assert.equal(await reasonOf(auth.authenticate(request(token))), 'pass "bot"');
  });
}

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
  records.set('sa-1', { id: 'sa-1', userId: 'bot', namespace: 'home' });
  assert.equal(await reasonOf(auth.authenticate(request(token))), 'pass "bot"');
});
