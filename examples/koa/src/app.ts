import Router from '@koa/router';
import Koa from 'koa';
import { profileOf } from '@pomerium-auth/example-support';
import {
  forbidImpersonation,
  pomeriumAuth,
  type PomeriumAuthOptions,
  type PomeriumState,
} from '@pomerium-auth/koa';

/**
 * The example app: a service behind Pomerium that machines call too, and where admins may act as
 * users, except on payments.
 *
 * @example
 * ```ts
 * createApp(devOptions({ jwksUrl, issuer, audience })).listen(3000, '127.0.0.1');
 * ```
 */
export function createApp(options: PomeriumAuthOptions): Koa<PomeriumState> {
  const app = new Koa<PomeriumState>();
  const router = new Router<PomeriumState>();

  // Public: before authentication.
  app.use(async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === '/healthz') ctx.body = { ok: true };
    else await next();
  });

  app.use(pomeriumAuth(options));

  router.get('/api/profile', (ctx) => {
    ctx.body = profileOf(ctx.state.pomerium!);
  });

  // Any authenticated caller: people through Pomerium, machines with a service-account token.
  router.get('/api/reports', (ctx) => {
    ctx.body = { reports: [{ id: 'q3-revenue', title: 'Q3 revenue' }], readBy: ctx.state.user!.id };
  });

  // Money moves only on the real user's say: no impersonation here.
  router.post('/api/payments', forbidImpersonation(), (ctx) => {
    ctx.status = 201;
    ctx.body = { payment: 'accepted', by: ctx.state.user!.id };
  });

  app.use(router.routes()).use(router.allowedMethods());
  return app;
}
