import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { PomeriumAuthConfigError, type AuditEvent } from '@pomerium-auth/core';
import { assertionHeaders, serviceAccountHeaders, type TestIssuer } from '@pomerium-auth/testing';
import {
  allowImpersonation,
  pomeriumAuth,
  pomeriumAuthErrorOf,
  requireAuthentication,
  type PomeriumAuthOptions,
  type PomeriumEnv,
  type Principal,
} from '@pomerium-auth/hono';
import { servedIssuer } from '@pomerium-auth/adapter-conformance';
import { listen, type RequestPath } from './conformance-app.js';

const { issuer, options }: { issuer: TestIssuer; options: PomeriumAuthOptions } =
  await servedIssuer((issuer) => ({
    sharedSecret: issuer.sharedSecret,
    impersonation: { grants: [{ name: 'admins', initiators: ['group:admins'], targets: ['*'] }] },
  }));
after(() => issuer.close());

const alice = () =>
  assertionHeaders(
    issuer.mintAssertion({ sub: 'alice', email: 'alice@corp.example', groups: ['admins'] }),
  );
const settle = () => new Promise((resolve) => setImmediate(resolve));

// Compile-time check: PomeriumEnv types the context's variables.
export const typedApp = new Hono<PomeriumEnv>().get('/', (c) => {
  const user: Principal | undefined = c.get('user');
  return c.json({ user: user?.id, initiator: c.get('pomerium')?.initiator.email });
});

test('pomeriumAuth refuses bad options at start-up, naming the option', () => {
  assert.throws(
    () => pomeriumAuth({ env: false, sharedSecret: issuer.sharedSecret, clockTolerance: -1 }),
    (err: unknown) => err instanceof PomeriumAuthConfigError && err.option === 'clockTolerance',
  );
});

test('allowImpersonation checks its grants when the route is defined', () => {
  assert.throws(
    () => allowImpersonation([{ initiators: [], targets: ['/[/'] }]),
    PomeriumAuthConfigError,
  );
});

describe('the middleware, in-process (app.request: no Node request, as on other runtimes)', () => {
  test('authenticates from the Web Request and audits its path, without a client address', async () => {
    const events: AuditEvent[] = [];
    const app = new Hono<PomeriumEnv>()
      .use(pomeriumAuth({ ...options, audit: (e) => events.push(e) }))
      .get('/orders', (c) => c.json({ user: c.get('user')?.id }));
    const res = await app.request('/orders?page=2', { headers: alice() });
    assert.deepEqual(await res.json(), { user: 'alice' });
    await settle();
    assert.equal(events[0]!.request.method, 'GET');
    assert.equal(events[0]!.request.path, '/orders');
    assert.equal(events[0]!.request.ip, undefined);
  });

  test('puts the principal under userProperty and leaves user alone', async () => {
    const app = new Hono<{ Variables: { principal?: Principal } } & PomeriumEnv>()
      .use(pomeriumAuth({ ...options, userProperty: 'principal' }))
      .get('/', (c) => c.json({ principal: c.get('principal')?.id, user: c.get('user') ?? null }));
    const res = await app.request('/', { headers: alice() });
    assert.deepEqual(await res.json(), { principal: 'alice', user: null });
  });

  test('with userProperty false only pomerium is set', async () => {
    const app = new Hono<PomeriumEnv>()
      .use(pomeriumAuth({ ...options, userProperty: false }))
      .get('/', (c) =>
        c.json({ pomerium: c.get('pomerium')?.user.id, user: c.get('user') ?? null }),
      );
    const res = await app.request('/', { headers: alice() });
    assert.deepEqual(await res.json(), { pomerium: 'alice', user: null });
  });

  test("onError 'next' throws an HTTPException that carries the answer and the PomeriumAuthError", async () => {
    const seen: unknown[] = [];
    const app = new Hono<PomeriumEnv>()
      .use(pomeriumAuth({ ...options, onError: 'next' }))
      .get('/', (c) => c.text('never'));
    app.onError((err, c) => {
      seen.push(err);
      const authError = pomeriumAuthErrorOf(err);
      if (!authError) return c.text('other', 500);
      return c.text(`custom ${authError.code} ${authError.reason}`, 401, { ...authError.headers });
    });
    const res = await app.request('/');
    assert.equal(res.status, 401);
    assert.equal(await res.text(), 'custom credentials_required no_credentials');
    assert.equal(
      res.headers.get('www-authenticate'),
      'Bearer realm="pomerium", error="credentials_required", error_description="Authentication is required"',
    );
    const thrown = seen[0] as HTTPException;
    assert.ok(thrown instanceof HTTPException);
    const answer = thrown.getResponse();
    assert.equal(answer.status, 401);
    assert.equal(
      answer.headers.get('www-authenticate'),
      'Bearer realm="pomerium", error="credentials_required", error_description="Authentication is required"',
    );
    assert.deepEqual(await answer.json(), {
      error: 'credentials_required',
      error_description: 'Authentication is required',
    });
  });

  test("leaves errors of the app's own handlers to Hono", async () => {
    const app = new Hono<PomeriumEnv>().use(pomeriumAuth(options)).get('/', () => {
      throw new Error('handler bug');
    });
    app.onError((err, c) => c.text(pomeriumAuthErrorOf(err) ? 'auth' : err.message, 500));
    const res = await app.request('/', { headers: alice() });
    assert.equal(res.status, 500);
    assert.equal(await res.text(), 'handler bug');
  });

  test('requireAuthentication without pomeriumAuth before it fails closed', async () => {
    const app = new Hono<PomeriumEnv>().get('/', requireAuthentication(), (c) => c.text('open'));
    app.onError((_err, c) => c.text('refused', 500));
    assert.equal((await app.request('/', { headers: alice() })).status, 500);
  });
});

for (const path of ['node', 'web'] as RequestPath[]) {
  describe(`the middleware over HTTP (${path === 'node' ? "Node's request" : 'the Web Request only'})`, () => {
    const apps: Array<{ close(): Promise<void> }> = [];
    after(() => Promise.all(apps.map((a) => a.close())));
    const start = async (app: Hono<PomeriumEnv>) => {
      const running = await listen(app, path);
      apps.push(running);
      return running.url;
    };

    test('hides the impersonation headers from the handler, even when headers were read before', async () => {
      const app = new Hono<PomeriumEnv>()
        .use(async (c, next) => {
          void c.req.header(); // materialises the Web Request's headers before pomeriumAuth
          await next();
        })
        .use(pomeriumAuth(options))
        .post('/', async (c) => {
          const raw = [...c.req.raw.headers.keys()].filter((n) => n.startsWith('impersonate'));
          return c.json({
            user: c.get('user')?.id,
            one: c.req.header('impersonate-user') ?? null,
            all: Object.keys(c.req.header()).filter((n) => n.startsWith('impersonate')),
            raw,
            body: await c.req.json(),
          });
        });
      const url = await start(app);
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          ...alice(),
          'content-type': 'application/json',
          'impersonate-user': 'user_1',
          'impersonate-reason': 'ticket 7',
        },
        body: JSON.stringify({ order: 42 }),
      });
      assert.deepEqual(await res.json(), {
        user: 'user_1',
        one: null,
        all: [],
        raw: [],
        body: { order: 42 },
      });
    });

    test('a sub-app route is audited with its full path', async () => {
      const events: AuditEvent[] = [];
      const api = new Hono<PomeriumEnv>().get('/orders', (c) =>
        c.json({ user: c.get('user')?.id }),
      );
      const app = new Hono<PomeriumEnv>()
        .use(pomeriumAuth({ ...options, audit: (e) => events.push(e) }))
        .route('/api', api);
      const url = await start(app);
      const token = issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot-1' });
      const res = await fetch(`${url}/api/orders?x=1`, { headers: serviceAccountHeaders(token) });
      assert.deepEqual(await res.json(), { user: 'bot-1' });
      await settle();
      assert.equal(events[0]!.request.path, '/api/orders');
      // The client address is Node's socket's; without Node's request it is unknown.
      assert.equal(events[0]!.request.ip, path === 'node' ? '127.0.0.1' : undefined);
    });
  });
}
