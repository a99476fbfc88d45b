import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  AUDIT_CHANNEL,
  createPomeriumAuth,
  headerValue,
  toAuthRequest,
  type AuditEvent,
  type AuthRequest,
} from '@pomerium-auth/core';
import { serviceAccountHeaders, type TestIssuer } from '@pomerium-auth/testing';
import { failure, issuer as makeIssuer, request, withAudit } from './fixtures.js';

let issuer: TestIssuer;
before(async () => {
  issuer = await makeIssuer();
});
after(async () => {
  await issuer.close();
});
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('audit trail', () => {
  test('emits authenticated with the initiating and effective user, source and request', async () => {
    const { auth, events, settled } = withAudit({ sharedSecret: issuer.sharedSecret });
    await auth.authenticate({
      ...request(
        serviceAccountHeaders(issuer.mintServiceAccountToken({ id: 'sa', userId: 'u1' })),
        'GET',
        '/a?b=c',
      ),
      requestId: 'r1',
    });
    await settled();
    assert.equal(events.length, 1);
    const e = events[0]!;
    assert.equal(e.event, 'authenticated');
    assert.ok(!Number.isNaN(Date.parse(e.time)));
    assert.deepEqual(e.initiating_user, { id: 'u1' });
    assert.deepEqual(e.effective_user, { id: 'u1' });
    assert.equal(e.credential_source, 'authorization-bearer-pomerium');
    assert.deepEqual(e.request, { method: 'GET', path: '/a', ip: '127.0.0.1', request_id: 'r1' });
  });

  test('emits authentication_failed with the code and the internal reason', async () => {
    const { auth, events, settled } = withAudit({ sharedSecret: issuer.sharedSecret });
    await failure(auth.authenticate(request({})));
    await failure(auth.authenticate(request({ 'x-pomerium-authorization': 'a.b.c' })));
    await settled();
    assert.deepEqual(
      events.map((e) => [e.event, e.error?.code, e.error?.reason]),
      [
        ['authentication_failed', 'credentials_required', 'no_credentials'],
        ['authentication_failed', 'invalid_token', 'malformed_token'],
      ],
    );
  });

  test('publishes every event on diagnostics_channel pomerium-auth:audit, with or without a sink', async () => {
    const seen: AuditEvent[] = [];
    const listener = (message: unknown) => seen.push(message as AuditEvent);
    subscribe(AUDIT_CHANNEL, listener);
    try {
      const auth = createPomeriumAuth({ env: false, sharedSecret: issuer.sharedSecret });
      await auth.authenticate(
        request(serviceAccountHeaders(issuer.mintServiceAccountToken({ id: 'sa', userId: 'u2' }))),
      );
      await tick();
      assert.equal(seen.length, 1);
      assert.equal(seen[0]!.effective_user?.id, 'u2');
    } finally {
      unsubscribe(AUDIT_CHANNEL, listener);
    }
  });

  test('sends successes to a pino-style logger’s info and failures to its warn', async () => {
    const calls: Array<[string, AuditEvent, string | undefined]> = [];
    const logger = {
      info: (o: object, m?: string) => calls.push(['info', o as AuditEvent, m]),
      warn: (o: object, m?: string) => calls.push(['warn', o as AuditEvent, m]),
    };
    const auth = createPomeriumAuth({
      env: false,
      sharedSecret: issuer.sharedSecret,
      audit: logger,
    });
    await auth.authenticate(
      request(serviceAccountHeaders(issuer.mintServiceAccountToken({ id: 'sa', userId: 'u3' }))),
    );
    await failure(auth.authenticate(request({})));
    await tick();
    assert.deepEqual(
      calls.map(([level, e, m]) => [level, e.event, m]),
      [
        ['info', 'authenticated', 'pomerium-auth: authenticated'],
        ['warn', 'authentication_failed', 'pomerium-auth: authentication_failed'],
      ],
    );
  });

  const badSinks: Array<[string, (e: AuditEvent) => unknown]> = [
    [
      'throws',
      () => {
        throw new Error('sink down');
      },
    ],
    ['rejects', () => Promise.reject(new Error('sink down'))],
    ['never settles', () => new Promise(() => undefined)],
  ];
  for (const [what, sink] of badSinks) {
    test(`a sink that ${what} never breaks a request`, async () => {
      const auth = createPomeriumAuth({
        env: false,
        sharedSecret: issuer.sharedSecret,
        audit: sink,
      });
      for (let i = 0; i < 3; i++) {
        const identity = await auth.authenticate(
          request(
            serviceAccountHeaders(issuer.mintServiceAccountToken({ id: 'sa', userId: `u${i}` })),
          ),
        );
        assert.equal(identity?.user.id, `u${i}`);
      }
      await tick();
    });
  }

  test('a slow sink runs after the request was answered, not before', async () => {
    const order: string[] = [];
    const auth = createPomeriumAuth({
      env: false,
      sharedSecret: issuer.sharedSecret,
      audit: () => {
        order.push('sink');
      },
    });
    await auth.authenticate(
      request(serviceAccountHeaders(issuer.mintServiceAccountToken({ id: 'sa', userId: 'u' }))),
    );
    order.push('answered');
    await tick();
    assert.deepEqual(order, ['answered', 'sink']);
  });
});

describe('requireIdentity', () => {
  test('passes an identity through, and audits and refuses a missing one with 401', async () => {
    const { auth, events, settled } = withAudit({
      sharedSecret: issuer.sharedSecret,
      required: false,
    });
    const req = request({});
    assert.equal(await auth.authenticate(req), undefined);
    assert.throws(() => auth.requireIdentity(undefined, req), {
      status: 401,
      error: 'credentials_required',
    });
    const identity = await auth.authenticate(
      request(serviceAccountHeaders(issuer.mintServiceAccountToken({ id: 'sa', userId: 'u' }))),
    );
    assert.equal(auth.requireIdentity(identity, req), identity);
    await settled();
    assert.deepEqual(
      events.map((e) => [e.event, e.error?.reason]),
      [
        ['authentication_failed', 'no_credentials'],
        ['authenticated', undefined],
      ],
    );
  });
});

describe('toAuthRequest', () => {
  test('reads Express, Fastify and plain Node requests alike', () => {
    const headers = { a: '1' };
    const fields = (r: AuthRequest) => ({
      method: r.method,
      url: r.url,
      headers: r.headers,
      rawHeaders: r.rawHeaders,
      ip: r.ip,
    });
    assert.deepEqual(
      fields(
        toAuthRequest({
          method: 'POST',
          url: '/x',
          originalUrl: '/api/x',
          headers,
          rawHeaders: ['a', '1'],
          ip: '10.0.0.1',
        }),
      ),
      { method: 'POST', url: '/api/x', headers, rawHeaders: ['a', '1'], ip: '10.0.0.1' },
    );
    assert.deepEqual(
      fields(
        toAuthRequest({
          method: 'GET',
          url: '/y',
          headers,
          raw: { rawHeaders: ['a', '1'], socket: { remoteAddress: '::1' } },
        }),
      ),
      { method: 'GET', url: '/y', headers, rawHeaders: ['a', '1'], ip: '::1' },
    );
    assert.deepEqual(fields(toAuthRequest({ headers })), {
      method: 'GET',
      url: '/',
      headers,
      rawHeaders: undefined,
      ip: undefined,
    });
    assert.equal(toAuthRequest({ headers }).headers, headers);
  });

  test('headerValue reads only the request’s own headers, never Object.prototype members', () => {
    assert.equal(headerValue({}, 'constructor'), undefined);
    assert.equal(headerValue({ 'x-request-id': ['a', 'b'] }, 'x-request-id'), 'a');
    assert.equal(headerValue({ 'x-request-id': 'r1' }, 'x-request-id'), 'r1');
  });

  test('reads the client address only when it is asked for, and then from the request as it is', () => {
    let reads = 0;
    const req = {
      headers: {},
      get ip() {
        reads++;
        return '10.0.0.2';
      },
    };
    const request = toAuthRequest(req);
    assert.equal(reads, 0);
    assert.equal(request.ip, '10.0.0.2');
    assert.equal(reads, 1);
  });
});

describe('refuseIdentity', () => {
  test('turns the request’s queued authenticated event into authentication_failed and gives a 401', async () => {
    const { auth, events, settled } = withAudit({ sharedSecret: issuer.sharedSecret });
    const req = request(
      serviceAccountHeaders(issuer.mintServiceAccountToken({ id: 'sa', userId: 'u' })),
    );
    const identity = await auth.authenticate(req);
    const err = auth.refuseIdentity(identity!, req, 'no such customer');
    assert.deepEqual(
      [err.status, err.error, err.reason, err.detail],
      [401, 'invalid_token', 'rejected_by_application', 'no such customer'],
    );
    await settled();
    assert.deepEqual(
      events.map((e) => [e.event, e.initiating_user?.id, e.effective_user, e.error?.reason]),
      [['authentication_failed', 'u', undefined, 'rejected_by_application']],
    );
  });
});
