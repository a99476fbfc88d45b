// Every application lookup is bounded by `lookupTimeout`: a lookup that never settles (or settles
// too late) answers 503 temporarily_unavailable with Retry-After, audited, and nothing is cached,
// so the request after the lookup recovers is decided afresh. No timing is asserted: each lookup
// simply never answers, and lookupTimeout is short.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createPomeriumAuth,
  PomeriumAuthError,
  type AuditEvent,
  type PomeriumAuthOptions,
} from '@pomerium-auth/core';
import { assertionHeaders, createTestIssuer, serviceAccountHeaders } from '@pomerium-auth/testing';

const issuer = await createTestIssuer();
const never = (): Promise<never> => new Promise(() => undefined);
const account = { id: 'sa-1', userId: 'bot', namespace: 'child' };

interface Row {
  lookup: string;
  /** Options whose lookup hangs while `hang.on`. */
  options: (hang: { on: boolean }) => Partial<PomeriumAuthOptions>;
  headers: () => Record<string, string>;
}

const rows: Row[] = [
  {
    lookup: 'serviceAccounts',
    options: (hang) => ({ serviceAccounts: (id) => (hang.on ? never() : { ...account, id }) }),
    headers: () =>
      serviceAccountHeaders(issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' })),
  },
  {
    lookup: 'directory (a service account takes its user)',
    options: (hang) => ({ directory: (id) => (hang.on ? never() : { id, groups: ['g'] }) }),
    headers: () =>
      serviceAccountHeaders(issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' })),
  },
  {
    lookup: 'directory (an impersonation target)',
    options: (hang) => ({
      directory: (id) => (hang.on && id === 'user_1' ? never() : { id, groups: [] }),
      impersonation: { grants: [{ initiators: ['alice'], targets: ['user_*'] }] },
    }),
    headers: () => ({
      ...assertionHeaders(issuer.mintAssertion({ sub: 'alice' })),
      'impersonate-user': 'user_1',
    }),
  },
  {
    lookup: 'namespaces',
    options: (hang) => ({
      serviceAccounts: (id) => ({ ...account, id, namespace: 'parent' }),
      namespace: 'child',
      namespaces: (id) => (hang.on ? never() : { id, parentId: 'parent' }),
    }),
    headers: () =>
      serviceAccountHeaders(issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' })),
  },
  {
    lookup: 'isRevoked',
    options: (hang) => ({ isRevoked: () => (hang.on ? never() : false) }),
    headers: () => assertionHeaders(issuer.mintAssertion({ sub: 'alice' })),
  },
];

for (const row of rows) {
  test(`a ${row.lookup} lookup that never answers is a 503 after lookupTimeout, audited, and nothing is cached`, async () => {
    const hang = { on: true };
    const events: AuditEvent[] = [];
    const auth = createPomeriumAuth({
      env: false,
      sharedSecret: issuer.sharedSecret,
      publicKeys: [issuer.keys[0]!.publicJwk],
      audience: issuer.host,
      lookupTimeout: 50,
      audit: (e) => events.push(e),
      logger: { warn: () => undefined },
      ...row.options(hang),
    });
    const request = () => ({ method: 'GET', url: '/', headers: row.headers() });
    for (let i = 0; i < 2; i++) {
      const err = await auth.authenticate(request()).then(
        () => assert.fail('passed while the lookup hung'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof PomeriumAuthError);
      assert.deepEqual(
        [err.status, err.error, err.reason],
        [503, 'temporarily_unavailable', 'lookup_timeout'],
      );
      assert.equal(err.headers['Retry-After'], '5');
    }
    assert.deepEqual(
      events.map((e) => e.error?.reason),
      ['lookup_timeout', 'lookup_timeout'],
      'each refusal audited',
    );
    hang.on = false;
    const identity = await auth.authenticate(request());
    assert.ok(identity, 'decided afresh once the lookup answers');
  });
}

test('lookupTimeout must be a positive integer of milliseconds', () => {
  for (const bad of [0, -1, 1.5, Number.NaN, '100']) {
    assert.throws(
      () =>
        createPomeriumAuth({
          env: false,
          sharedSecret: issuer.sharedSecret,
          lookupTimeout: bad as number,
        }),
      { name: 'PomeriumAuthConfigError', option: 'lookupTimeout' },
    );
  }
});
