import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPomeriumAuth, VerifiedTokenCache, type ServiceAccountRecord } from '@pomerium-auth/core';
import { serviceAccountHeaders, type TestIssuer } from '@pomerium-auth/testing';
import { failure, issuer as makeIssuer, request } from './fixtures.js';

let issuer: TestIssuer;
before(async () => {
  issuer = await makeIssuer();
});
after(async () => {
  await issuer.close();
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('verified-token cache', () => {
  test('never keeps an entry beyond the token’s exp', () => {
    const cache = new VerifiedTokenCache<string>({ max: 10, maxAge: 3600 });
    const now = 1_000_000_000_000;
    cache.set('t', 'v', now / 1000 + 2, now);
    assert.equal(cache.get('t', now + 1000), 'v');
    assert.equal(cache.get('t', now + 2000), undefined);
  });

  test('never keeps an entry beyond maxAge', () => {
    const cache = new VerifiedTokenCache<string>({ max: 10, maxAge: 1 });
    cache.set('t', 'v', undefined, 0);
    assert.equal(cache.get('t', 999), 'v');
    assert.equal(cache.get('t', 1000), undefined);
  });

  test('holds at most max entries, dropping the oldest', () => {
    const cache = new VerifiedTokenCache<number>({ max: 3, maxAge: 60 });
    for (let i = 0; i < 10; i++) cache.set(`t${i}`, i, undefined);
    assert.equal(cache.size, 3);
    assert.equal(cache.get('t0'), undefined);
    assert.equal(cache.get('t9'), 9);
  });

  test('skips record lookups for a repeated token', async () => {
    let lookups = 0;
    const serviceAccounts = (id: string): ServiceAccountRecord => { lookups++; return { id, userId: 'u' }; };
    const auth = createPomeriumAuth({ env: false, sharedSecret: issuer.sharedSecret, serviceAccounts });
    const token = issuer.mintServiceAccountToken({ id: 'sa', userId: 'u' });
    for (let i = 0; i < 5; i++) await auth.authenticate(request(serviceAccountHeaders(token)));
    assert.equal(lookups, 1);
  });

  test('never caches a failure', async () => {
    let known = false;
    const auth = createPomeriumAuth({ env: false, sharedSecret: issuer.sharedSecret, serviceAccounts: (id) => (known ? { id, userId: 'u' } : null) });
    const token = issuer.mintServiceAccountToken({ id: 'sa', userId: 'u' });
    assert.equal((await failure(auth.authenticate(request(serviceAccountHeaders(token))))).reason, 'unknown_service_account');
    known = true;
    assert.equal((await auth.authenticate(request(serviceAccountHeaders(token))))?.user.id, 'u');
  });

  test('lets a revocation win within cache.maxAge', async () => {
    let revoked = false;
    const auth = createPomeriumAuth({ env: false, sharedSecret: issuer.sharedSecret, cache: { maxAge: 0.2 }, serviceAccounts: (id) => (revoked ? null : { id, userId: 'u' }) });
    const token = issuer.mintServiceAccountToken({ id: 'sa', userId: 'u' });
    assert.ok(await auth.authenticate(request(serviceAccountHeaders(token))));
    revoked = true;
    await sleep(250);
    assert.equal((await failure(auth.authenticate(request(serviceAccountHeaders(token))))).reason, 'unknown_service_account');
  });

  test('gives each request its own principal, so a handler cannot change the cached one', async () => {
    const auth = createPomeriumAuth({ env: false, sharedSecret: issuer.sharedSecret });
    const token = issuer.mintLegacyServiceAccountToken({ groups: ['a'] });
    const first = await auth.authenticate(request(serviceAccountHeaders(token)));
    first!.user.groups.push('admins');
    first!.user.id = 'mallory';
    const second = await auth.authenticate(request(serviceAccountHeaders(token)));
    assert.deepEqual(second!.user.groups, ['a']);
    assert.notEqual(second!.user.id, 'mallory');
  });
});
