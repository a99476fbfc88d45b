import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createPomeriumAuth,
  isPomeriumAuthError,
  type PomeriumAuth,
  type PomeriumAuthOptions,
  type ServiceAccountRecord,
} from '@pomerium-auth/core';
import { VerifiedTokenCache } from '@pomerium-auth/core/internal';
import { serviceAccountHeaders, signJwt, type TestIssuer } from '@pomerium-auth/testing';
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

  test('evicts in insertion order after expiries, re-stores, look-alikes and clear, as a plain list would', () => {
    // The reference: an array in insertion order, scanned from the front. Slow, and obviously right.
    // Tokens share signature segments on purpose: storing one replaces a stored look-alike.
    const max = 7;
    const cache = new VerifiedTokenCache<number>({ max, maxAge: 60 });
    let model: { key: string; value: number; until: number }[] = [];
    let seed = 42;
    const random = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const signatureOf = (token: string): string => token.slice(token.lastIndexOf('.') + 1);
    let now = 1_000_000;
    for (let step = 0; step < 20_000; step++) {
      now += random(3) * 100;
      const key = `eyJhbGciOiJIUzI1NiJ9.p${random(4)}.${'s'.repeat(40)}${random(6)}`;
      const action = random(10);
      if (action === 0) {
        cache.clear();
        model = [];
      } else if (action < 5) {
        const exp = random(4) === 0 ? (now + random(2_000)) / 1000 : undefined;
        const until = Math.min(now + 60_000, exp === undefined ? Infinity : exp * 1000);
        cache.set(key, step, exp, now);
        if (until > now) {
          const known = model.find((e) => e.key === key);
          if (known) Object.assign(known, { value: step, until });
          else {
            const lookAlike = model.findIndex((e) => signatureOf(e.key) === signatureOf(key));
            if (lookAlike >= 0) model.splice(lookAlike, 1);
            else if (model.length >= max) model.shift();
            model.push({ key, value: step, until });
          }
        }
      } else {
        const at = model.findIndex((e) => e.key === key);
        let expected: number | undefined;
        if (at >= 0 && now >= model[at]!.until) model.splice(at, 1);
        else if (at >= 0) expected = model[at]!.value;
        assert.equal(cache.get(key, now), expected, `step ${step}: get(${key})`);
      }
      assert.equal(cache.size, model.length, `step ${step}: size`);
    }
  });

  test('a token that copies a cached token’s signature is not a hit, and fails verification', async () => {
    const auth = createPomeriumAuth({ env: false, sharedSecret: issuer.sharedSecret });
    const token = issuer.mintServiceAccountToken({ id: 'sa', userId: 'u' });
    assert.equal((await auth.authenticate(request(serviceAccountHeaders(token))))?.user.id, 'u');
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'admin' })).toString('base64url')}.${signature}`;
    assert.equal(
      (await failure(auth.authenticate(request(serviceAccountHeaders(forged))))).reason,
      'bad_signature',
    );
    assert.equal((await auth.authenticate(request(serviceAccountHeaders(token))))?.user.id, 'u');
  });

  test('never holds more than max entries, however many distinct tokens pass', () => {
    const cache = new VerifiedTokenCache<number>({ max: 100, maxAge: 60 });
    for (let i = 0; i < 100_000; i++) cache.set(`token-${i}`, i, undefined);
    assert.equal(cache.size, 100);
    assert.equal(cache.get('token-99899'), undefined);
    assert.equal(cache.get('token-99900'), 99_900);
  });

  test('stores a token at its second verification, then skips verification but never the record', async () => {
    let records = 0;
    let directoryLookups = 0;
    const auth = createPomeriumAuth({
      env: false,
      sharedSecret: issuer.sharedSecret,
      serviceAccounts: (id: string): ServiceAccountRecord => (records++, { id, userId: 'u' }),
      // Consulted only when a token is verified: it counts the verifications.
      directory: (id) => (directoryLookups++, { id, groups: ['g'] }),
    });
    const token = issuer.mintServiceAccountToken({ id: 'sa', userId: 'u' });
    for (let i = 0; i < 5; i++) {
      const identity = await auth.authenticate(request(serviceAccountHeaders(token)));
      assert.deepEqual([identity?.user.id, identity?.user.groups], ['u', ['g']]);
    }
    assert.equal(directoryLookups, 2, 'verified twice, then served from the cache');
    assert.equal(records, 5, 'the record is checked on every request');
  });

  test('offer: a token offered once is remembered, not stored; offered again, it is stored', () => {
    const cache = new VerifiedTokenCache<number>({ max: 10, maxAge: 60 });
    const token = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.${'A'.repeat(43)}`;
    assert.equal(cache.offer(token, 1, undefined), false);
    assert.equal(cache.size, 0);
    assert.equal(cache.get(token), undefined);
    assert.equal(cache.offer(token, 2, undefined), true);
    assert.equal(cache.get(token), 2);
    cache.clear();
    assert.equal(cache.offer(token, 3, undefined), false, 'clear forgets what was seen once');
  });

  test('offer: a stream of one-time tokens neither fills the cache nor evicts a token in use', () => {
    const cache = new VerifiedTokenCache<string>({ max: 3, maxAge: 60 });
    const hot = `h.p.${'H'.repeat(43)}`;
    cache.offer(hot, 'hot', undefined);
    cache.offer(hot, 'hot', undefined);
    for (let i = 0; i < 10_000; i++)
      cache.offer(`h.p.${String(i).padStart(43, 'x')}`, 'once', undefined);
    assert.equal(cache.get(hot), 'hot');
    assert.ok(cache.size <= 3);
  });

  test('never caches a failure', async () => {
    let known = false;
    const auth = createPomeriumAuth({
      env: false,
      sharedSecret: issuer.sharedSecret,
      serviceAccounts: (id) => (known ? { id, userId: 'u' } : null),
    });
    const token = issuer.mintServiceAccountToken({ id: 'sa', userId: 'u' });
    assert.equal(
      (await failure(auth.authenticate(request(serviceAccountHeaders(token))))).reason,
      'unknown_service_account',
    );
    known = true;
    assert.equal((await auth.authenticate(request(serviceAccountHeaders(token))))?.user.id, 'u');
  });

  test('lets a revocation win within cache.maxAge', async () => {
    let revoked = false;
    const auth = createPomeriumAuth({
      env: false,
      sharedSecret: issuer.sharedSecret,
      cache: { maxAge: 0.2 },
      serviceAccounts: (id) => (revoked ? null : { id, userId: 'u' }),
    });
    const token = issuer.mintServiceAccountToken({ id: 'sa', userId: 'u' });
    assert.ok(await auth.authenticate(request(serviceAccountHeaders(token))));
    revoked = true;
    await sleep(250);
    assert.equal(
      (await failure(auth.authenticate(request(serviceAccountHeaders(token))))).reason,
      'unknown_service_account',
    );
  });

  test('hands out a cached principal whole: every field, in a copy of its own', async () => {
    const auth = createPomeriumAuth({
      env: false,
      sharedSecret: issuer.sharedSecret,
      directory: (id) => ({ id, email: 'bot@corp.example', name: 'Build Bot', groups: ['ci'] }),
    });
    const token = issuer.mintServiceAccountToken({ id: 'sa-7', userId: 'bot' });
    const first = await auth.authenticate(request(serviceAccountHeaders(token)));
    const second = await auth.authenticate(request(serviceAccountHeaders(token)));
    assert.ok(
      first!.user.name &&
        first!.user.email &&
        first!.user.serviceAccountId &&
        first!.user.groups.length > 0,
      'the principal has every optional field',
    );
    assert.deepEqual(second!.user, first!.user);
    assert.equal(Object.keys(second!.user).sort().join(), Object.keys(first!.user).sort().join());
    assert.notEqual(second!.user, first!.user);
    assert.notEqual(second!.user.groups, first!.user.groups);
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

describe('verified-token cache and maxTokenAge', () => {
  // [maxTokenAge, clockTolerance, exp as seconds after iat (none: the token has no exp)]
  const rows: Array<[number, number, number | undefined]> = [
    [2, 0, undefined],
    [2, 5, undefined],
    [60, 5, 3600],
    [60, 0, 30],
    [60, 5, 58],
  ];
  for (const [maxTokenAge, clockTolerance, expAfter] of rows) {
    const exp = expAfter === undefined ? 'no exp' : `exp = iat + ${expAfter}`;
    test(`a cached token is refused exactly when an uncached one is (maxTokenAge ${maxTokenAge}, clockTolerance ${clockTolerance}, ${exp})`, async (t) => {
      const iat = 1_900_000_000;
      let clock = (iat + 1) * 1000;
      // Date.now is the clock of both the token's time checks and the cache.
      t.mock.method(Date, 'now', () => clock);
      let verifications = 0;
      const options: PomeriumAuthOptions = {
        env: false,
        sharedSecret: issuer.sharedSecret,
        clockTolerance,
        maxTokenAge,
      };
      const cached = createPomeriumAuth({
        ...options,
        cache: { maxAge: 86_400 },
        // Consulted only when a token is verified: it counts the verifications.
        directory: (id) => (verifications++, { id, groups: [] }),
      });
      const uncached = createPomeriumAuth({ ...options, cache: false });
      const claims: Record<string, unknown> = { jti: 'sa', sub: 'u', iat };
      if (expAfter !== undefined) claims.exp = iat + expAfter;
      const token = signJwt({ alg: 'HS256' }, claims, issuer.sharedSecretBytes);
      const outcome = async (auth: PomeriumAuth): Promise<string> => {
        try {
          return (await auth.authenticate(request(serviceAccountHeaders(token))))!.user.id;
        } catch (err) {
          assert.ok(isPomeriumAuthError(err), `threw ${String(err)}`);
          return err.reason;
        }
      };
      // The moments around the last one at which the token passes, in milliseconds.
      const tooOld = (iat + maxTokenAge + clockTolerance) * 1000;
      const moments = [tooOld - 1000, tooOld - 1, tooOld, tooOld + 1, tooOld + 1000];
      if (expAfter !== undefined) {
        const expired = (iat + expAfter + clockTolerance) * 1000;
        moments.push(expired - 1, expired, expired + 1);
      }
      assert.equal(await outcome(cached), 'u');
      assert.equal(await outcome(cached), 'u', 'verified twice: stored');
      const seen: string[] = [];
      for (const moment of moments.sort((a, b) => a - b)) {
        clock = moment;
        const expected = await outcome(uncached);
        assert.equal(await outcome(cached), expected, `at iat + ${moment / 1000 - iat} s`);
        seen.push(expected);
      }
      assert.ok(seen.includes('u') && !seen.every((o) => o === 'u'), 'passes, then is refused');
      assert.ok(verifications < 2 + moments.length, 'some answers came from the cache');
    });
  }
});
