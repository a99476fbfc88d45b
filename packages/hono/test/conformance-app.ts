import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { Hono, type Handler, type MiddlewareHandler } from 'hono';
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
  type PomeriumEnv,
} from '@pomerium-auth/hono';

/**
 * How requests reach the app. `'node'`: `@hono/node-server` hands the app Node's request in
 * `c.env.incoming`, which the middleware reads. `'web'`: the app sees only the Web `Request`,
 * as on other runtimes.
 */
export type RequestPath = 'node' | 'web';

const whoami: Handler<PomeriumEnv> = (c) =>
  c.json(whoamiBody(c.get('pomerium'), c.req.header(), c.get('user')));

/** Serves the conformance routes with Hono 4 on `@hono/node-server`. */
export async function startConformanceApp(
  options: PomeriumAuthOptions,
  placement: ConformancePlacement,
  path: RequestPath = 'node',
): Promise<ConformanceApp> {
  const app = new Hono<PomeriumEnv>();
  // A request-scoped context entered before authentication: audit events must be delivered in it.
  app.use((c, next) => conformanceContext.run(conformanceRequestId(c.req.header()), next));
  const auth = pomeriumAuth(options);
  const onRoute = placement === 'route' ? [auth] : [];
  if (placement === 'app-wide') app.use(auth);
  // Handlers registered one by one for a path run in turn, as one chain.
  const route = (
    method: 'GET' | 'POST',
    path: string,
    before: MiddlewareHandler<PomeriumEnv>[],
    after: MiddlewareHandler<PomeriumEnv>[] = [],
  ) => {
    for (const handler of [...before, ...onRoute, ...after]) app.on(method, path, handler);
    app.on(method, path, whoami);
  };
  const routeGrants = allowImpersonation(CONFORMANCE_ROUTE_GRANTS);
  route('GET', '/whoami', []);
  route('POST', '/whoami', []);
  route('GET', '/forbidden-impersonation', [forbidImpersonation()]);
  const slow: MiddlewareHandler<PomeriumEnv> = async (_c, next) => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    await next();
  };
  route('GET', '/slow-forbidden-impersonation', [slow, forbidImpersonation()]);
  route('GET', '/route-grants', [routeGrants]);
  route('POST', '/route-grants', [routeGrants]);
  route('GET', '/require-authentication', [], [requireAuthentication()]);
  route('GET', '/policy', [requirePolicy(CONFORMANCE_POLICY)]);
  return listen(app, path);
}

/** Serves the app on 127.0.0.1, port 0. */
export function listen(
  app: Hono<PomeriumEnv>,
  path: RequestPath = 'node',
): Promise<ConformanceApp> {
  const server = serve({
    fetch: path === 'node' ? app.fetch : (request: Request) => app.fetch(request),
    port: 0,
    hostname: '127.0.0.1',
  });
  return listenOnLoopback(server as Server);
}
