import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { after, describe, test } from 'node:test';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import express4 from 'express4';
import express5 from 'express5';
import { PomeriumAuthConfigError, type PomeriumAuthError } from '@pomerium-auth/core';
import { assertionHeaders, serviceAccountHeaders, type TestIssuer } from '@pomerium-auth/testing';
import {
  allowImpersonation,
  pomeriumAuth,
  requireAuthentication,
  type PomeriumAuthOptions,
  type PomeriumRequest,
} from '@pomerium-auth/express';
import { servedIssuer } from '@pomerium-auth/adapter-conformance';
import { listen } from './conformance-app.js';

const { issuer, options }: { issuer: TestIssuer; options: PomeriumAuthOptions } =
  await servedIssuer();
after(() => issuer.close());

// Compile-time check: the package declares `req.pomerium` for every app, never `req.user`.
export const typedHandler: RequestHandler = (req, res) => {
  // @ts-expect-error req.user is not forced on apps; use PomeriumRequest where you want it
  void req.user;
  res.json({
    pomerium: req.pomerium?.user.id,
    user: (req as PomeriumRequest).user?.id,
    principal: (req as PomeriumRequest<'principal'>).principal?.id,
  });
};

test('allowImpersonation checks its grants when the route is defined', () => {
  assert.throws(
    () => allowImpersonation([{ initiators: [], targets: ['/[/'] }]),
    PomeriumAuthConfigError,
  );
});

test('pomeriumAuth refuses bad options at start-up, naming the option', () => {
  assert.throws(
    () => pomeriumAuth({ env: false, sharedSecret: issuer.sharedSecret, clockTolerance: -1 }),
    (err: unknown) => err instanceof PomeriumAuthConfigError && err.option === 'clockTolerance',
  );
});

describe('the middleware, called as Express calls it', () => {
  const bot = () =>
    serviceAccountHeaders(issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot-1' }));
  const call = (
    middleware: RequestHandler,
    headers: Record<string, string>,
    properties: PropertyDescriptorMap = {},
  ) => {
    const req = Object.defineProperties(
      {
        method: 'GET',
        url: '/',
        originalUrl: '/',
        headers,
        rawHeaders: Object.entries(headers).flat(),
      },
      properties,
    ) as unknown as PomeriumRequest;
    const before = Reflect.ownKeys(req);
    let nextCalls = 0;
    let nextArg: unknown;
    const done = new Promise<void>((resolve) => {
      middleware(req, {} as never, (arg?: unknown) => {
        nextCalls++;
        nextArg = arg;
        resolve();
      });
    });
    const sameTurn = nextCalls === 1;
    return { req, before, sameTurn, done, next: () => ({ nextCalls, nextArg }) };
  };

  test('calls next() in the same turn when core decided without waiting (a service-account token)', async () => {
    const { req, sameTurn, done } = call(
      pomeriumAuth({ env: false, sharedSecret: issuer.sharedSecret, audit: false }),
      bot(),
    );
    assert.equal(sameTurn, true);
    await done;
    assert.equal(req.user?.id, 'bot-1');
  });

  test('calls next() once the lookup it waited for has answered', async () => {
    const middleware = pomeriumAuth({
      env: false,
      sharedSecret: issuer.sharedSecret,
      audit: false,
      serviceAccounts: (id) => Promise.resolve({ id, userId: 'bot-1' }),
    });
    const { req, sameTurn, done, next } = call(middleware, bot());
    assert.equal(sameTurn, false);
    await done;
    assert.deepEqual(next(), { nextCalls: 1, nextArg: undefined });
    assert.equal(req.user?.id, 'bot-1');
  });

  // A throw after the decision (here: a userProperty the request will not take, as Express 5's
  // getter-only req.query) reaches Express as next(err) on both paths, never as an unhandled
  // rejection, which would end the process.
  test(
    'hands a throw after an asynchronous decision to next(err), as Express does with a synchronous one',
    {
      timeout: 5000,
    },
    async () => {
      const middleware = pomeriumAuth({
        env: false,
        sharedSecret: issuer.sharedSecret,
        audit: false,
        userProperty: 'query',
        serviceAccounts: (id) => Promise.resolve({ id, userId: 'bot-1' }),
      });
      const { sameTurn, done, next } = call(middleware, bot(), { query: { get: () => ({}) } });
      assert.equal(sameTurn, false);
      await done;
      const { nextCalls, nextArg } = next();
      assert.equal(nextCalls, 1);
      assert.ok(nextArg instanceof TypeError, `next(${inspect(nextArg)})`);
    },
  );

  test('adds to req only what it promises: pomerium and the user property', async () => {
    const { req, before, done } = call(
      pomeriumAuth({ env: false, sharedSecret: issuer.sharedSecret, audit: false }),
      bot(),
    );
    await done;
    assert.deepEqual(
      Reflect.ownKeys(req).filter((k) => !before.includes(k)),
      ['pomerium', 'user'],
    );
  });
});

for (const [name, express] of [
  ['express 4', express4],
  ['express 5', express5],
] as const) {
  describe(`${name}: the adapter`, () => {
    const apps: Array<{ close(): Promise<void> }> = [];
    after(() => Promise.all(apps.map((a) => a.close())));
    const start = async (setup: (app: ReturnType<typeof express5>) => void) => {
      const app = express();
      app.set('env', 'test');
      setup(app);
      const running = await listen(app);
      apps.push(running);
      return running.url;
    };
    const alice = () =>
      assertionHeaders(issuer.mintAssertion({ sub: 'alice', email: 'alice@corp.example' }));

    test('puts the principal under userProperty and leaves req.user alone', async () => {
      const url = await start((app) =>
        app.use(pomeriumAuth({ ...options, userProperty: 'principal' })).get('/', typedHandler),
      );
      const body = await (await fetch(url, { headers: alice() })).json();
      assert.deepEqual(body, { pomerium: 'alice', principal: 'alice' });
    });

    test('with userProperty false only req.pomerium is set', async () => {
      const url = await start((app) =>
        app.use(pomeriumAuth({ ...options, userProperty: false })).get('/', typedHandler),
      );
      assert.deepEqual(await (await fetch(url, { headers: alice() })).json(), {
        pomerium: 'alice',
      });
    });

    test("onError 'next' hands the PomeriumAuthError to the app's error handler", async () => {
      const seen: unknown[] = [];
      // Express types an error as `any`: this handler is only given core's refusals.
      const handler: ErrorRequestHandler = (err: PomeriumAuthError, _req, res, _next) => {
        seen.push(err);
        res.status(err.status).set(err.headers).send(`custom ${err.error}`);
      };
      const url = await start((app) =>
        app
          .use(pomeriumAuth({ ...options, onError: 'next' }))
          .get('/', typedHandler)
          .use(handler),
      );
      const res = await fetch(url);
      assert.equal(res.status, 401);
      assert.equal(await res.text(), 'custom credentials_required');
      assert.equal(
        res.headers.get('www-authenticate'),
        'Bearer realm="pomerium", error="credentials_required", error_description="Authentication is required"',
      );
      const err = seen[0] as { expose: boolean; statusCode: number };
      assert.equal(err.expose, true);
      assert.equal(err.statusCode, 401);
    });

    test("leaves errors of the app's own handlers to Express", async () => {
      const url = await start((app) =>
        app
          .use(pomeriumAuth(options))
          .get('/', () => {
            throw new Error('handler bug');
          })
          .use(((err, _req, res, _next) =>
            res
              .status(500)
              .send(err instanceof Error ? err.message : 'other')) as ErrorRequestHandler),
      );
      const res = await fetch(url, { headers: alice() });
      assert.equal(res.status, 500);
      assert.equal(await res.text(), 'handler bug');
    });

    test('requireAuthentication without pomeriumAuth before it fails closed', async () => {
      const url = await start((app) => app.get('/', requireAuthentication(), typedHandler));
      assert.equal((await fetch(url, { headers: alice() })).status, 500);
    });

    test('allowImpersonation answers the same before the route’s pomeriumAuth and after an app-wide one', async () => {
      // The global grant lets admin do anything: only the route's grants decide, judging the
      // target by its own groups and each group asked for against the grant's `groups`.
      const withGrants: PomeriumAuthOptions = {
        ...options,
        directory: (key) =>
          ({
            bob: { id: 'bob', groups: [] },
            carol: { id: 'carol', groups: ['customers'] },
          })[key] ?? null,
        impersonation: { grants: [{ initiators: ['admin'], targets: ['*'], groups: ['*'] }] },
      };
      const routeGrants = [
        { initiators: ['admin'], targets: ['bob'] },
        { initiators: ['admin'], targets: ['group:customers'], groups: ['customers'] },
      ];
      const url = await start((app) => {
        const auth = pomeriumAuth(withGrants);
        const whoami: RequestHandler = (req, res) => {
          res.json({ user: req.pomerium?.user.id, groups: req.pomerium?.user.groups });
        };
        app.get('/before', allowImpersonation(routeGrants), auth, whoami);
        app.use('/after', auth);
        app.get('/after', allowImpersonation(routeGrants), whoami);
      });
      const admin = assertionHeaders(issuer.mintAssertion({ sub: 'admin' }));
      const cases: Array<[Record<string, string>, number, unknown?]> = [
        [{ 'impersonate-user': 'bob' }, 200, { user: 'bob', groups: [] }],
        [{ 'impersonate-user': 'bob', 'impersonate-group': 'admins' }, 403],
        [{ 'impersonate-user': 'bob', 'impersonate-group': 'customers' }, 403],
        [
          { 'impersonate-user': 'carol', 'impersonate-group': 'customers' },
          200,
          { user: 'carol', groups: ['customers'] },
        ],
        [{ 'impersonate-user': 'carol', 'impersonate-group': 'admins' }, 403],
      ];
      for (const [asked, status, body] of cases) {
        for (const path of ['/before', '/after']) {
          const res = await fetch(`${url}${path}`, { headers: { ...admin, ...asked } });
          const said = `${path} ${JSON.stringify(asked)}`;
          assert.equal(res.status, status, said);
          if (body) assert.deepEqual(await res.json(), body, said);
          else
            assert.equal(
              ((await res.json()) as { error?: string }).error,
              'impersonation_denied',
              said,
            );
        }
      }
    });

    test('a route under a mounted router is audited with its full path', async () => {
      const paths: string[] = [];
      const url = await start((app) => {
        const router = express.Router();
        router.get('/orders', typedHandler);
        app.use(
          '/api',
          pomeriumAuth({ ...options, audit: (e) => paths.push(e.request.path) }),
          router,
        );
      });
      assert.equal((await fetch(`${url}/api/orders?x=1`, { headers: alice() })).status, 200);
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(paths, ['/api/orders']);
    });
  });
}
