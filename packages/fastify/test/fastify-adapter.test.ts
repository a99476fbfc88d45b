import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { FastifyInstance, RouteHandlerMethod, RouteShorthandOptions } from 'fastify';
import fastify4 from 'fastify4';
import fastify5 from 'fastify5';
import { PomeriumAuthConfigError, type AuditEvent } from '@pomerium-auth/core';
import { assertionHeaders, serviceAccountHeaders, type TestIssuer } from '@pomerium-auth/testing';
import {
  PomeriumAuthError,
  allowImpersonation,
  forbidImpersonation,
  pomeriumAuth,
  requireAuthentication,
  type PomeriumAuthOptions,
  type PomeriumRequest,
} from '@pomerium-auth/fastify';
import { servedIssuer } from '@pomerium-auth/adapter-conformance';

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

// Compile-time checks: the package types request.pomerium, request.user and config.pomerium.
export const typedRoute: RouteShorthandOptions = {
  config: { pomerium: { authentication: 'required' } },
};
// @ts-expect-error in options typed as RouteShorthandOptions a misspelt rule is a type error
export const misspelt: RouteShorthandOptions = { config: { pomerium: { impersonaton: 'forbid' } } };
export const typedHandler: RouteHandlerMethod = (request) => ({
  effective: request.user?.id,
  initiator: request.pomerium?.initiator.email,
});

describe('the hook, called as Fastify calls it', () => {
  type Hook = (request: object, reply: object, done: (err?: Error) => void) => void;
  const hookOf = async (opts: PomeriumAuthOptions): Promise<Hook> => {
    const hooks: Record<string, Hook> = {};
    const fake = {
      hasRequestDecorator: () => false,
      decorateRequest: () => undefined,
      addHook: (name: string, hook: Hook) => (hooks[name] = hook),
    };
    await (pomeriumAuth as unknown as (f: object, o: object) => Promise<void>)(fake, opts);
    return hooks.onRequest!;
  };
  const requestWith = (headers: Record<string, string>) => ({
    method: 'GET',
    url: '/',
    headers,
    raw: { rawHeaders: Object.entries(headers).flat() },
    routeOptions: { config: {} },
  });
  const bot = () =>
    serviceAccountHeaders(issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot-1' }));

  test('calls done() in the same turn when core decided without waiting (a service-account token)', async () => {
    const hook = await hookOf({ env: false, sharedSecret: issuer.sharedSecret, audit: false });
    const request = requestWith(bot()) as { user?: { id: string } };
    let calls = 0;
    hook(request, {}, () => calls++);
    assert.equal(calls, 1);
    assert.equal(request.user?.id, 'bot-1');
  });

  test('calls done() once the lookup it waited for has answered', async () => {
    const hook = await hookOf({
      env: false,
      sharedSecret: issuer.sharedSecret,
      audit: false,
      serviceAccounts: (id) => Promise.resolve({ id, userId: 'bot-1' }),
    });
    const request = requestWith(bot()) as { user?: { id: string } };
    let calls = 0;
    const done = new Promise<Error | undefined>((resolve) =>
      hook(request, {}, (err) => {
        calls++;
        resolve(err);
      }),
    );
    assert.equal(calls, 0);
    assert.equal(await done, undefined);
    assert.equal(request.user?.id, 'bot-1');
  });

  // A throw after the decision (here: a userProperty the request will not take, as Fastify's
  // getter-only request.hostname) reaches Fastify as done(err) on both paths, never as an
  // unhandled rejection, which would end the process.
  test(
    'hands a throw after an asynchronous decision to done(err), as Fastify does with a synchronous one',
    {
      timeout: 5000,
    },
    async () => {
      const hook = await hookOf({
        env: false,
        sharedSecret: issuer.sharedSecret,
        audit: false,
        userProperty: 'hostname',
        serviceAccounts: (id) => Promise.resolve({ id, userId: 'bot-1' }),
      });
      const request = Object.defineProperty(requestWith(bot()), 'hostname', { get: () => 'x' });
      let calls = 0;
      const done = new Promise<Error | undefined>((resolve) =>
        hook(request, {}, (err) => {
          calls++;
          resolve(err);
        }),
      );
      assert.equal(calls, 0);
      assert.ok((await done) instanceof TypeError);
      assert.equal(calls, 1);
    },
  );
});

test('allowImpersonation checks its grants when the route is defined', () => {
  assert.throws(
    () => allowImpersonation([{ initiators: [], targets: ['/[/'] }]),
    PomeriumAuthConfigError,
  );
});

for (const [name, fastify] of [
  ['fastify 4', fastify4],
  ['fastify 5', fastify5],
] as const) {
  describe(`${name}: the plugin`, () => {
    const apps: FastifyInstance[] = [];
    after(() => Promise.all(apps.map((a) => a.close())));
    const make = () => {
      const app = fastify();
      apps.push(app);
      return app;
    };
    // An anonymous request's properties by name: undefined would drop out of the JSON.
    const who = (request: PomeriumRequest) => ({
      pomerium: request.pomerium ? request.pomerium.user.id : `${request.pomerium}`,
      user: request.user ? request.user.id : `${request.user}`,
    });

    test('refuses bad options when registered, naming the option', async () => {
      const app = make();
      app.register(pomeriumAuth, { ...options, clockTolerance: -1 });
      await assert.rejects(
        async () => {
          await app.ready();
        },
        (err: unknown) => err instanceof PomeriumAuthConfigError && err.option === 'clockTolerance',
      );
    });

    test("ignores the options Fastify's register reads for itself", async () => {
      const app = make();
      await app.register(pomeriumAuth, { ...options, prefix: '/api' } as PomeriumAuthOptions);
      app.get('/me', who);
      const res = await app.inject({ url: '/me', headers: alice() });
      assert.deepEqual(res.json(), { pomerium: 'alice', user: 'alice' });
    });

    test('guards the context that registers it, and not its siblings', async () => {
      const app = make();
      app.get('/public', who);
      app.register(async (guarded) => {
        await guarded.register(pomeriumAuth, options);
        guarded.get('/private', who);
        // eslint-disable-next-line @typescript-eslint/require-await -- Fastify waits on a plugin's promise: async is its contract
        guarded.register(async (nested) => {
          nested.get('/private/nested', who);
        });
      });
      // eslint-disable-next-line @typescript-eslint/require-await -- as above
      app.register(async (sibling) => {
        sibling.get('/sibling', who);
      });
      await app.ready();
      for (const url of ['/private', '/private/nested']) {
        assert.equal((await app.inject({ url })).statusCode, 401, url);
        assert.deepEqual((await app.inject({ url, headers: alice() })).json(), {
          pomerium: 'alice',
          user: 'alice',
        });
      }
      for (const url of ['/public', '/sibling']) {
        const res = await app.inject({ url, headers: alice() });
        assert.equal(res.statusCode, 200, url);
        assert.deepEqual(
          res.json(),
          { pomerium: 'undefined', user: 'undefined' },
          `${url}: no identity outside the guarded context`,
        );
      }
    });

    test('authenticates a request that matches no route when registered at the root', async () => {
      const root = make();
      await root.register(pomeriumAuth, options);
      assert.equal((await root.inject({ url: '/nope' })).statusCode, 401);
      assert.equal((await root.inject({ url: '/nope', headers: alice() })).statusCode, 404);
      const prefixed = make();
      prefixed.register(
        async (api) => {
          await api.register(pomeriumAuth, options);
          api.get('/x', who);
        },
        { prefix: '/api' },
      );
      // The root's not-found handler answers it, without the prefixed context's hooks.
      assert.equal((await prefixed.inject({ url: '/api/nope' })).statusCode, 404);
    });

    test('leaves request.pomerium and request.user undefined for an anonymous request', async () => {
      const app = make();
      await app.register(pomeriumAuth, { ...options, required: false });
      app.get('/', who);
      assert.deepEqual((await app.inject({ url: '/' })).json(), {
        pomerium: 'undefined',
        user: 'undefined',
      });
    });

    test('puts the principal under userProperty and leaves request.user alone', async () => {
      const app = make();
      await app.register(pomeriumAuth, { ...options, userProperty: 'principal' });
      app.get('/', (request) => ({
        principal: (request as PomeriumRequest<'principal'>).principal?.id,
        user: request.user,
      }));
      assert.deepEqual((await app.inject({ url: '/', headers: alice() })).json(), {
        principal: 'alice',
      });
    });

    test('with userProperty false only request.pomerium is set', async () => {
      const app = make();
      await app.register(pomeriumAuth, { ...options, userProperty: false });
      app.get('/', who);
      assert.deepEqual((await app.inject({ url: '/', headers: alice() })).json(), {
        pomerium: 'alice',
        user: 'undefined',
      });
    });

    test('shares request.user with a plugin that declared it first, and may be registered twice', async () => {
      const app = make();
      app.decorateRequest('user', null);
      await app.register(pomeriumAuth, options);
      await app.register(pomeriumAuth, options);
      app.get('/', who);
      assert.deepEqual((await app.inject({ url: '/', headers: alice() })).json(), {
        pomerium: 'alice',
        user: 'alice',
      });
    });

    test('removes the impersonation headers from the request and its raw lines', async () => {
      const app = make();
      await app.register(pomeriumAuth, options);
      app.get('/', (request) => ({
        user: request.user?.id,
        header: request.headers['impersonate-user'] ?? null,
        raw: request.raw.rawHeaders.filter((h) => h.toLowerCase().startsWith('impersonate')),
      }));
      const res = await app.inject({
        url: '/',
        headers: { ...alice(), 'impersonate-user': 'user_1', 'Impersonate-Reason': 'ticket 7' },
      });
      assert.deepEqual(res.json(), { user: 'user_1', header: null, raw: [] });
    });

    test('checks config.pomerium when a route is added after the plugin, naming the key', async () => {
      const app = make();
      await app.register(pomeriumAuth, options);
      assert.throws(
        () => app.get('/', { config: { pomerium: { impersonaton: 'forbid' } as never } }, who),
        (err: unknown) =>
          err instanceof PomeriumAuthConfigError && err.option === 'config.pomerium.impersonaton',
      );
      assert.throws(
        () => app.get('/x', { config: { pomerium: { authentication: 'maybe' as never } } }, who),
        (err: unknown) =>
          err instanceof PomeriumAuthConfigError && err.option === 'config.pomerium.authentication',
      );
      assert.throws(
        () =>
          app.get(
            '/y',
            {
              config: {
                pomerium: { impersonation: { grants: [{ initiators: [], targets: ['/[/'] }] } },
              },
            },
            who,
          ),
        PomeriumAuthConfigError,
      );
    });

    test('a bad config.pomerium it could not check at start-up fails closed at the first request', async () => {
      const app = make();
      app.register(pomeriumAuth, options);
      // Added in the same tick as the un-awaited register: the plugin is not loaded yet.
      app.get('/', { config: { pomerium: { impersonaton: 'forbid' } as never } }, who);
      const res = await app.inject({ url: '/', headers: alice() });
      assert.equal(res.statusCode, 500);
      assert.ok(!res.body.includes('alice'));
    });

    test('config.pomerium rules are part of the decision: route grants replace the global grants', async () => {
      const events: AuditEvent[] = [];
      const app = make();
      await app.register(pomeriumAuth, { ...options, audit: (e) => events.push(e) });
      const helpdesk = [{ name: 'helpdesk', initiators: ['dave'], targets: ['user_*'] }];
      app.get('/tickets', { config: { pomerium: { impersonation: { grants: helpdesk } } } }, who);
      const dave = assertionHeaders(issuer.mintAssertion({ sub: 'dave' }));
      const asUser = { 'impersonate-user': 'user_1' };
      const res = await app.inject({ url: '/tickets', headers: { ...dave, ...asUser } });
      assert.deepEqual(res.json(), { pomerium: 'user_1', user: 'user_1' });
      const refused = await app.inject({ url: '/tickets', headers: { ...alice(), ...asUser } });
      assert.equal(refused.statusCode, 403);
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(
        events.map((e) => [e.event, e.grant ?? null]),
        [
          ['impersonation_granted', 'helpdesk'],
          ['impersonation_denied', null],
        ],
      );
    });

    test("config.pomerium authentication: 'required' asks an anonymous request for a credential", async () => {
      const app = make();
      await app.register(pomeriumAuth, { ...options, required: false });
      app.get('/open', who);
      app.get('/orders', { config: { pomerium: { authentication: 'required' } } }, who);
      assert.equal((await app.inject({ url: '/open' })).statusCode, 200);
      const res = await app.inject({ url: '/orders' });
      assert.equal(res.statusCode, 401);
      assert.equal(
        res.headers['www-authenticate'],
        'Bearer realm="pomerium", error="credentials_required", error_description="Authentication is required"',
      );
      assert.equal((await app.inject({ url: '/orders', headers: alice() })).statusCode, 200);
    });

    test("config.pomerium authentication: 'optional' lets a request without a credential through", async () => {
      const app = make();
      await app.register(pomeriumAuth, options);
      app.get('/landing', { config: { pomerium: { authentication: 'optional' } } }, who);
      app.get('/private', who);
      const anonymous = await app.inject({ url: '/landing' });
      assert.equal(anonymous.statusCode, 200);
      assert.deepEqual(anonymous.json(), { pomerium: 'undefined', user: 'undefined' });
      assert.equal((await app.inject({ url: '/private' })).statusCode, 401);
      const bad = await app.inject({
        url: '/landing',
        headers: { authorization: 'Pomerium x.y.z' },
      });
      assert.equal(bad.statusCode, 401, 'a credential that fails is still refused');
    });

    test('rule hooks narrow the decision of an app-wide plugin', async () => {
      const app = make();
      await app.register(pomeriumAuth, options);
      app.post('/payments', { onRequest: forbidImpersonation() }, who);
      const asUser = { ...alice(), 'impersonate-user': 'user_1' };
      const res = await app.inject({ method: 'POST', url: '/payments', headers: asUser });
      assert.equal(res.statusCode, 403);
      assert.deepEqual(res.json(), {
        error: 'impersonation_denied',
        error_description: 'Impersonation is not allowed',
      });
      const own = await app.inject({ method: 'POST', url: '/payments', headers: alice() });
      assert.deepEqual(own.json(), { pomerium: 'alice', user: 'alice' });
    });

    test("onError 'next' hands the PomeriumAuthError to Fastify's error handler", async () => {
      const seen: unknown[] = [];
      const app = make();
      app.setErrorHandler((err, _request, reply) => {
        seen.push(err);
        const e = err as PomeriumAuthError;
        void reply.code(e.status).headers(e.headers).send(`custom ${e.error}`);
      });
      await app.register(pomeriumAuth, { ...options, onError: 'next' });
      app.get('/', who);
      const res = await app.inject({ url: '/' });
      assert.equal(res.statusCode, 401);
      assert.equal(res.body, 'custom credentials_required');
      assert.equal(
        res.headers['www-authenticate'],
        'Bearer realm="pomerium", error="credentials_required", error_description="Authentication is required"',
      );
      assert.ok(seen[0] instanceof PomeriumAuthError);
    });

    test("onError 'next': Fastify's default handler answers with the error's status and headers", async () => {
      const app = make();
      await app.register(pomeriumAuth, { ...options, onError: 'next' });
      app.get('/', who);
      const expired = assertionHeaders(
        issuer.mintAssertion({ sub: 'alice' }, { now: Math.floor(Date.now() / 1000) - 3600 }),
      );
      const res = await app.inject({ url: '/', headers: expired });
      assert.equal(res.statusCode, 401);
      assert.match(String(res.headers['www-authenticate']), /error="invalid_token"/);
      // Fastify's own error body: the client-safe description, never core's internal detail.
      assert.deepEqual(res.json(), {
        statusCode: 401,
        code: 'invalid_token',
        error: 'Unauthorized',
        message: 'The token has expired',
      });
    });

    test("leaves errors of the app's own handlers to Fastify", async () => {
      const app = make();
      await app.register(pomeriumAuth, options);
      app.get('/', () => Promise.reject(new Error('handler bug')));
      app.setErrorHandler((err, _request, reply) => {
        void reply.code(500).send((err as Error).message);
      });
      const res = await app.inject({ url: '/', headers: alice() });
      assert.equal(res.statusCode, 500);
      assert.equal(res.body, 'handler bug');
    });

    test('requireAuthentication without the plugin in its context fails closed', async () => {
      const app = make();
      app.get('/', { onRequest: requireAuthentication() }, who);
      assert.equal((await app.inject({ url: '/', headers: alice() })).statusCode, 500);
    });

    test('a service-account token is accepted and the audit event has the full path', async () => {
      const paths: string[] = [];
      const app = make();
      app.register(
        async (api) => {
          await api.register(pomeriumAuth, {
            ...options,
            audit: (e) => paths.push(e.request.path),
          });
          api.get('/orders', who);
        },
        { prefix: '/api' },
      );
      const token = issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot-1' });
      const res = await app.inject({
        url: '/api/orders?x=1',
        headers: serviceAccountHeaders(token),
      });
      assert.deepEqual(res.json(), { pomerium: 'bot-1', user: 'bot-1' });
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(paths, ['/api/orders']);
    });
  });
}
