import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import Router from '@koa/router';
import type Koa from 'koa';
import Koa2 from 'koa2';
import Koa3 from 'koa3';
import { PomeriumAuthConfigError } from '@pomerium-auth/core';
import { assertionHeaders, type TestIssuer } from '@pomerium-auth/testing';
import {
  allowImpersonation,
  isPomeriumAuthError,
  pomeriumAuth,
  requireAuthentication,
  type PomeriumAuthOptions,
  type PomeriumState,
} from '@pomerium-auth/koa';
import { servedIssuer } from '@pomerium-auth/adapter-conformance';
import { listen } from './conformance-app.js';

const { issuer, options }: { issuer: TestIssuer; options: PomeriumAuthOptions } =
  await servedIssuer();
after(() => issuer.close());

test('allowImpersonation checks its grants when the route is defined', () => {
  assert.throws(
    () => allowImpersonation([{ initiators: [], targets: ['/[/'] }]),
    PomeriumAuthConfigError,
  );
});

for (const [name, KoaClass] of [
  ['koa 2', Koa2],
  ['koa 3', Koa3],
] as const) {
  describe(`${name}: the adapter`, () => {
    const apps: Array<{ close(): Promise<void> }> = [];
    after(() => Promise.all(apps.map((a) => a.close())));
    const start = async (setup: (app: Koa<PomeriumState>) => void) => {
      const app = new KoaClass();
      app.silent = true;
      setup(app);
      const running = await listen(app);
      apps.push(running);
      return running.url;
    };
    const alice = () =>
      assertionHeaders(issuer.mintAssertion({ sub: 'alice', email: 'alice@corp.example' }));
    const echo = (
      ctx: Koa.ParameterizedContext<PomeriumState & { principal?: { id: string } }>,
    ) => {
      ctx.body = {
        pomerium: ctx.state.pomerium?.user.id,
        user: ctx.state.user?.id,
        principal: ctx.state.principal?.id,
      };
    };

    test('puts the principal under userProperty in ctx.state and leaves state.user alone', async () => {
      const url = await start((app) =>
        app.use(pomeriumAuth({ ...options, userProperty: 'principal' })).use(echo),
      );
      assert.deepEqual(await (await fetch(url, { headers: alice() })).json(), {
        pomerium: 'alice',
        principal: 'alice',
      });
    });

    test('with userProperty false only ctx.state.pomerium is set', async () => {
      const url = await start((app) =>
        app.use(pomeriumAuth({ ...options, userProperty: false })).use(echo),
      );
      assert.deepEqual(await (await fetch(url, { headers: alice() })).json(), {
        pomerium: 'alice',
      });
    });

    test("onError 'next' throws the PomeriumAuthError to the app's error handling", async () => {
      const url = await start((app) =>
        app
          .use(async (ctx, next) => {
            try {
              await next();
            } catch (err) {
              if (!isPomeriumAuthError(err)) throw err;
              ctx.status = err.status;
              ctx.set({ ...err.headers });
              ctx.body = `custom ${err.error}`;
            }
          })
          .use(pomeriumAuth({ ...options, onError: 'next' }))
          .use(echo),
      );
      const res = await fetch(url);
      assert.equal(res.status, 401);
      assert.equal(await res.text(), 'custom credentials_required');
      assert.equal(
        res.headers.get('www-authenticate'),
        'Bearer realm="pomerium", error="credentials_required", error_description="Authentication is required"',
      );
    });

    test("leaves errors of the app's own middleware to Koa", async () => {
      const url = await start((app) =>
        app
          .use(async (ctx, next) => {
            try {
              await next();
            } catch (err) {
              ctx.status = 500;
              ctx.body = err instanceof Error ? err.message : 'other';
            }
          })
          .use(pomeriumAuth(options))
          .use(() => {
            throw new Error('handler bug');
          }),
      );
      const res = await fetch(url, { headers: alice() });
      assert.equal(res.status, 500);
      assert.equal(await res.text(), 'handler bug');
    });

    test('requireAuthentication without pomeriumAuth before it fails closed', async () => {
      const url = await start((app) => app.use(requireAuthentication()).use(echo));
      assert.equal((await fetch(url, { headers: alice() })).status, 500);
    });

    test('route helpers work on a nested @koa/router with typed state', async () => {
      const url = await start((app) => {
        const router = new Router<PomeriumState>({ prefix: '/api' });
        router.get('/me', requireAuthentication(), (ctx) => {
          ctx.body = { id: ctx.state.user?.id };
        });
        app.use(pomeriumAuth({ ...options, required: false })).use(router.routes());
      });
      assert.deepEqual(await (await fetch(`${url}/api/me`, { headers: alice() })).json(), {
        id: 'alice',
      });
      assert.equal((await fetch(`${url}/api/me`)).status, 401);
    });
  });
}
