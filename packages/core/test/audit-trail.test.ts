import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
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
    const { auth, events } = withAudit({ sharedSecret: issuer.sharedSecret });
    await auth.authenticate({
      ...request(
        serviceAccountHeaders(issuer.mintServiceAccountToken({ id: 'sa', userId: 'u1' })),
        'GET',
        '/a?b=c',
      ),
      requestId: 'r1',
    });
    assert.equal(events.length, 1);
    const e = events[0]!;
    assert.equal(e.event, 'authenticated');
    assert.ok(!Number.isNaN(Date.parse(e.time)));
    assert.deepEqual(e.initiating_user, { id: 'u1' });
    assert.deepEqual(e.effective_user, { id: 'u1' });
    assert.equal(e.credential_source, 'authorization-bearer-pomerium');
    assert.deepEqual(e.request, { method: 'GET', path: '/a', ip: '127.0.0.1', request_id: 'r1' });
  });

  test('request.path is the path the router routes and a policy judges, without the query', async () => {
    const token = issuer.mintServiceAccountToken({ id: 'sa', userId: 'u1' });
    const rows: Array<[target: string, path: string]> = [
      ['/a?b=c', '/a'],
      ['/a/b/', '/a/b/'],
      // An absolute-form target (GET http://host/admin HTTP/1.1): Node hands it over as req.url.
      ['http://app.example.com/admin?x=1', '/admin'],
      ['HTTP://u@app.example.com:80/admin', '/admin'],
      ['http://app.example.com', '/'],
    ];
    for (const [target, path] of rows) {
      const { auth, events } = withAudit({ sharedSecret: issuer.sharedSecret });
      await auth.authenticate(request(serviceAccountHeaders(token), 'GET', target));
      assert.equal(events[0]?.request.path, path, target);
    }
  });

  test('emits authentication_failed with the code and the internal reason', async () => {
    const { auth, events } = withAudit({ sharedSecret: issuer.sharedSecret });
    await failure(auth.authenticate(request({})));
    await failure(auth.authenticate(request({ 'x-pomerium-authorization': 'a.b.c' })));
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
    test(`a sink that ${what} never changes an answer, and a failure is reported once`, async () => {
      const warnings: string[] = [];
      const auth = createPomeriumAuth({
        env: false,
        sharedSecret: issuer.sharedSecret,
        audit: sink,
        logger: { warn: (m) => warnings.push(m) },
      });
      for (let i = 0; i < 3; i++) {
        const identity = await auth.authenticate(
          request(
            serviceAccountHeaders(issuer.mintServiceAccountToken({ id: 'sa', userId: `u${i}` })),
          ),
        );
        assert.equal(identity?.user.id, `u${i}`);
      }
      await failure(auth.authenticate(request({})));
      await tick();
      assert.equal(warnings.length, what === 'never settles' ? 0 : 1, warnings.join('\n'));
      if (warnings.length) assert.match(warnings[0]!, /the audit sink failed \(sink down\)/);
    });
  }

  test('delivers each event before the decision returns: the sink has run when decide() does', () => {
    const order: string[] = [];
    const auth = createPomeriumAuth({
      env: false,
      sharedSecret: issuer.sharedSecret,
      audit: (e) => {
        order.push(`sink ${e.event}`);
      },
    });
    const decided = auth.decide(
      request(serviceAccountHeaders(issuer.mintServiceAccountToken({ id: 'sa', userId: 'u' }))),
    );
    order.push('decided');
    assert.ok(!(decided instanceof Promise));
    assert.deepEqual(order, ['sink authenticated', 'decided']);
  });

  test('delivers events in the async context of the request, to the sink and to a subscriber', async () => {
    const store = new AsyncLocalStorage<string>();
    const seen: Array<[string, string | undefined]> = [];
    const listener = (message: unknown) =>
      seen.push([`channel ${(message as AuditEvent).event}`, store.getStore()]);
    subscribe(AUDIT_CHANNEL, listener);
    try {
      const auth = createPomeriumAuth({
        env: false,
        sharedSecret: issuer.sharedSecret,
        // An awaited lookup, so that the events come after an asynchronous hop.
        serviceAccounts: (id) => Promise.resolve({ id, userId: 'u' }),
        audit: (e) => seen.push([`sink ${e.event}`, store.getStore()]),
      });
      const token = issuer.mintServiceAccountToken({ id: 'sa', userId: 'u' });
      await Promise.all(
        ['r1', 'r2'].map((id) =>
          store.run(id, () =>
            failure(
              auth.authenticate(
                request({ ...serviceAccountHeaders(token), 'impersonate-user': 'x' }),
              ),
            ),
          ),
        ),
      );
      await store.run('r3', () => auth.authenticate(request(serviceAccountHeaders(token))));
      assert.deepEqual(seen, [
        ['channel impersonation_denied', 'r1'],
        ['sink impersonation_denied', 'r1'],
        ['channel impersonation_denied', 'r2'],
        ['sink impersonation_denied', 'r2'],
        ['channel authenticated', 'r3'],
        ['sink authenticated', 'r3'],
      ]);
    } finally {
      unsubscribe(AUDIT_CHANNEL, listener);
    }
  });

  test('gives every event its own id, the request its one request_id, and freezes events whole', async () => {
    const { auth, events } = withAudit({ sharedSecret: issuer.sharedSecret });
    const token = issuer.mintServiceAccountToken({ id: 'sa-9', userId: 'u' });
    const identity = await auth.authenticate(request(serviceAccountHeaders(token)));
    auth.refuseIdentity(identity!, request(serviceAccountHeaders(token)));
    await auth.authenticate({ ...request(serviceAccountHeaders(token)), requestId: 'given' });
    await auth.authenticate(request({ ...serviceAccountHeaders(token), 'x-request-id': 'hdr-1' }));
    assert.equal(new Set(events.map((e) => e.id)).size, events.length, 'unique ids');
    const [granted, refused, given, fromHeader] = events;
    assert.match(identity!.requestId, /^[0-9a-f-]{36}$/, 'generated when none is sent');
    assert.equal(granted!.request.request_id, identity!.requestId);
    assert.equal(
      refused!.request.request_id,
      identity!.requestId,
      'a later decision, the same request',
    );
    assert.equal(given!.request.request_id, 'given');
    assert.equal(fromHeader!.request.request_id, 'hdr-1');
    assert.equal(granted!.service_account_id, 'sa-9');
    for (const e of events) {
      assert.ok(Object.isFrozen(e) && Object.isFrozen(e.request), 'frozen');
      if (e.error) assert.ok(Object.isFrozen(e.error));
      if (e.initiating_user) assert.ok(Object.isFrozen(e.initiating_user));
    }
  });

  test("an anonymous request's events share the one request_id made up for it", async () => {
    const { auth, events } = withAudit({ sharedSecret: issuer.sharedSecret, required: false });
    const allowAll = { policy: { allow: { or: [{ accept: true }] } } };
    const getOnly = { policy: { allow: { or: [{ http_method: 'GET' }] } } };
    // Each step builds its own AuthRequest around the one request, as an adapter's middleware
    // and each route helper after it do: what they share is the request's headers object.
    const headers = {};
    const req = () => ({ method: 'GET', url: '/x', headers, ip: '127.0.0.1' });
    assert.equal(await auth.decide(req()), undefined);
    auth.authorizeRoute(undefined, req(), allowAll);
    auth.authorizeRoute(undefined, req(), getOnly);
    assert.throws(() => auth.requireIdentity(undefined, req()), { status: 401 });
    const ids = events.map((e) => e.request.request_id);
    assert.equal(ids.length, 3, 'two policies and the refusal');
    assert.match(ids[0]!, /^[0-9a-f-]{36}$/);
    assert.deepEqual(new Set(ids).size, 1, `one id: ${ids.join(' ')}`);
    // Another request gets another.
    auth.authorizeRoute(undefined, request({}), allowAll);
    assert.notEqual(events.at(-1)!.request.request_id, ids[0]);
  });

  test('takes x-request-id only when it is short printable ASCII', async () => {
    const { auth, events } = withAudit({ sharedSecret: issuer.sharedSecret });
    const token = issuer.mintServiceAccountToken({ id: 'sa', userId: 'u' });
    const sent = ['ok id 1', 'x'.repeat(201), 'line\nbreak', 'caf\u00e9'];
    for (const id of sent) {
      await auth.authenticate(request({ ...serviceAccountHeaders(token), 'x-request-id': id }));
    }
    const ids = events.map((e) => e.request.request_id);
    assert.equal(ids[0], 'ok id 1');
    for (const id of ids.slice(1)) assert.match(id, /^[0-9a-f-]{36}$/);
  });
});

describe('requireIdentity', () => {
  test('passes an identity through, and audits and refuses a missing one with 401', async () => {
    const { auth, events } = withAudit({
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
  test('audits the refusal as its own authentication_failed event, after the authenticated one, and gives a 401', async () => {
    const { auth, events } = withAudit({ sharedSecret: issuer.sharedSecret });
    const req = request(
      serviceAccountHeaders(issuer.mintServiceAccountToken({ id: 'sa', userId: 'u' })),
    );
    const identity = await auth.authenticate(req);
    const err = auth.refuseIdentity(identity!, req, 'no such customer');
    assert.deepEqual(
      [err.status, err.error, err.reason, err.detail],
      [401, 'invalid_token', 'rejected_by_application', 'no such customer'],
    );
    assert.deepEqual(
      events.map((e) => [e.event, e.initiating_user?.id, e.effective_user, e.error?.reason]),
      [
        ['authenticated', 'u', { id: 'u' }, undefined],
        ['authentication_failed', 'u', undefined, 'rejected_by_application'],
      ],
    );
  });
});
