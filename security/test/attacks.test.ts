// The attack table against core's authenticate: every line must give exactly the expected
// identity or PomeriumAuthError, and exactly one audit event (audit option and diagnostics channel),
// with signatures checked on the main thread and on the signature workers alike.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import {
  createPomeriumAuth,
  isPomeriumAuthError,
  PomeriumAuthError,
  type AuthRequest,
  type Identity,
  type PomeriumAuth,
} from '@pomerium-auth/core';
import { attackRows } from './lib/attack-table.js';
import { auditMismatch, identityMismatch, parseExpectation } from './lib/expectation.js';
import { collectAudit, createFixtures, type AuthName } from './lib/fixtures.js';
import {
  describeMode,
  readySignatureWorkers,
  VERIFICATION_MODES,
  type VerificationMode,
} from './lib/verification-modes.js';

const f = await createFixtures();
const audit = collectAudit();
const auths = new Map<string, PomeriumAuth>();
const authFor = (name: AuthName, mode: VerificationMode): PomeriumAuth => {
  let auth = auths.get(`${mode}/${name}`);
  if (!auth) {
    const options = f.options(name, (e) => void audit.sink.push(e));
    auth = createPomeriumAuth({ ...options, assertionVerification: mode });
    auths.set(`${mode}/${name}`, auth);
  }
  return auth;
};
before(() => readySignatureWorkers(f.options('main'), f.assertion()));
after(async () => {
  audit.close();
  await f.close();
});

const rows = attackRows(f);

test('the attack table has at least 80 distinct cases', () => {
  assert.ok(rows.length >= 80, `${rows.length} rows`);
  const names = new Set(rows.map((r) => r.name + '|' + r.auth));
  assert.equal(names.size, rows.length, 'row names are unique');
});

for (const mode of VERIFICATION_MODES)
  describeMode(mode, () => {
    for (const row of rows) {
      test(
        `[${row.auth}] ${row.name} → ${row.expect}`,
        row.bug ? { todo: row.bug } : {},
        async () => {
          const expected = parseExpectation(row.expect);
          const request: AuthRequest = {
            method: row.method,
            url: '/attack?x=1',
            headers: structuredClone(row.headers),
            ...(row.rawHeaders ? { rawHeaders: [...row.rawHeaders] } : {}),
          };
          if (row.warm)
            await authFor(row.auth, mode)
              .authenticate({ method: 'GET', url: '/', headers: { ...row.warm } })
              .catch(() => undefined);
          await new Promise((resolve) => setImmediate(resolve));
          audit.clear();
          let identity: Identity | undefined;
          let error: unknown;
          try {
            identity = await authFor(row.auth, mode).authenticate(request, row.route);
          } catch (err) {
            error = err;
          }
          await new Promise((resolve) => setImmediate(resolve));
          if (error !== undefined) {
            assert.ok(
              error instanceof PomeriumAuthError,
              `threw something else than PomeriumAuthError: ${inspect(error)}`,
            );
            assert.equal(
              expected.kind,
              'error',
              `expected ${row.expect}, got ${error.status} ${error.error} ${error.reason} (${error.detail})`,
            );
            if (expected.kind !== 'error') return;
            assert.deepEqual(
              [error.status, error.error, error.reason],
              [expected.status, expected.error, expected.reason ?? error.reason],
              `detail: ${error.detail}`,
            );
            // What the client sees never carries internal detail.
            assert.deepEqual(Object.keys(error.toJSON()).sort(), ['error', 'error_description']);
            if (error.status === 401 && error.error === 'invalid_token')
              assert.match(
                error.headers['WWW-Authenticate'] ?? '',
                /^Bearer realm="pomerium", error="invalid_token"/,
              );
          } else {
            assert.deepEqual(identityMismatch(expected, identity), []);
          }
          // Exactly one audit event per decision, on both paths, and it tells the truth. An anonymous
          // pass on an optional route decides nothing about anyone and emits none (documented).
          if (expected.kind === 'anon') {
            assert.deepEqual([audit.sink.length, audit.channel.length], [0, 0]);
            return;
          }
          assert.equal(audit.sink.length, 1, `audit sink got ${audit.sink.length} events`);
          assert.equal(
            audit.channel.length,
            1,
            `diagnostics channel got ${audit.channel.length} events`,
          );
          assert.equal(audit.channel[0], audit.sink[0]);
          const outcome = isPomeriumAuthError(error)
            ? { error: { error: error.error, reason: error.reason } }
            : identity
              ? { identity }
              : {};
          assert.deepEqual(auditMismatch(audit.sink[0]!, outcome), []);
          // Impersonation headers never reach the handler.
          if (!error)
            for (const name of ['impersonate-user', 'impersonate-group', 'impersonate-reason'])
              assert.equal(request.headers[name], undefined);
        },
      );
    }
  });
