import Router, { type RouterMiddleware } from '@koa/router';
import type Koa from 'koa';
import {
  CONFORMANCE_POLICY,
  CONFORMANCE_ROUTE_GRANTS,
  conformanceContext,
  conformanceRequestId,
  listenOnLoopback,
  whoamiBody,
  type ConformanceApp,
  type ConformancePlacement,
} from '@pomerium-auth/adapter-conformance';
import {
  allowImpersonation,
  forbidImpersonation,
  pomeriumAuth,
  requireAuthentication,
  requirePolicy,
  type PomeriumAuthOptions,
  type PomeriumState,
} from '@pomerium-auth/koa';

/** The `Koa` class of one major. */
export type KoaClass = new () => Koa;

/** Serves the conformance routes with Koa 2 or 3 and @koa/router. */
export async function startConformanceApp(
  KoaApp: KoaClass,
  options: PomeriumAuthOptions,
  placement: ConformancePlacement,
): Promise<ConformanceApp> {
  const app = new KoaApp() as Koa<PomeriumState>;
  app.silent = true;
  // A request-scoped context entered before authentication: audit events must be delivered in it.
  app.use((ctx, next) => conformanceContext.run(conformanceRequestId(ctx.headers), next));
  const auth = pomeriumAuth(options);
  const onRoute = placement === 'route' ? [auth] : [];
  if (placement === 'app-wide') app.use(auth);
  const router = new Router<PomeriumState>();
  const whoami: RouterMiddleware<PomeriumState> = (ctx) => {
    ctx.body = whoamiBody(ctx.state.pomerium, ctx.headers, ctx.state.user);
  };
  const routeGrants = allowImpersonation(CONFORMANCE_ROUTE_GRANTS);
  router.get('/whoami', ...onRoute, whoami);
  router.post('/whoami', ...onRoute, whoami);
  router.get('/forbidden-impersonation', forbidImpersonation(), ...onRoute, whoami);
  const slow: RouterMiddleware<PomeriumState> = async (_ctx, next) => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    await next();
  };
  router.get('/slow-forbidden-impersonation', slow, forbidImpersonation(), ...onRoute, whoami);
  router.get('/route-grants', routeGrants, ...onRoute, whoami);
  router.post('/route-grants', routeGrants, ...onRoute, whoami);
  router.get('/require-authentication', ...onRoute, requireAuthentication(), whoami);
  router.get('/policy', requirePolicy(CONFORMANCE_POLICY), ...onRoute, whoami);
  app.use(router.routes());
  return listen(app);
}

/** Listens on 127.0.0.1, port 0. */
export function listen(app: Koa<PomeriumState>): Promise<ConformanceApp> {
  return listenOnLoopback(app.listen(0, '127.0.0.1'));
}
