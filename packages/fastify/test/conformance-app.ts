import type { FastifyInstance, RouteHandlerMethod, RouteShorthandOptions } from 'fastify';
import type fastify from 'fastify';
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
} from '@pomerium-auth/fastify';

/** The `fastify` factory of one major. */
export type FastifyFactory = typeof fastify;

/**
 * Where the rules of the conformance routes go. `'config'`: in the routes' `config.pomerium`,
 * part of the plugin's decision. `'hooks'`: rule hooks in the routes' `onRequest`, after the
 * plugin's (they narrow). `'hooks-first'`: each route in its own encapsulated context whose rule
 * hook is added before the plugin is registered there, so the plugin decides with it.
 */
export type RulePlacement = 'config' | 'hooks' | 'hooks-first';

/** The rule placement the runner's `placement` stands for. */
export const rulesFor = (placement: ConformancePlacement): RulePlacement =>
  placement === 'route' ? 'config' : 'hooks';

const whoami: RouteHandlerMethod = (request) =>
  whoamiBody(request.pomerium ?? undefined, request.headers, request.user ?? undefined);

/** Serves the conformance routes with Fastify 4 or 5. */
export async function startConformanceApp(
  createFastify: FastifyFactory,
  options: PomeriumAuthOptions,
  rules: RulePlacement,
): Promise<ConformanceApp> {
  const app = createFastify();
  // A request-scoped context entered before authentication: audit events must be delivered in it.
  app.addHook('onRequest', (request, _reply, done) =>
    conformanceContext.run(conformanceRequestId(request.headers), done),
  );
  // An asynchronous hook, as apps have, between the decision and a route's rule hook.
  const slow = ((_request, _reply, done) => void setTimeout(done, 1)) as ReturnType<
    typeof forbidImpersonation
  >;
  const routeGrants = { impersonation: { grants: CONFORMANCE_ROUTE_GRANTS } };
  if (rules === 'hooks-first') {
    // Each route alone in a context: its rule hook first, then the plugin.
    const alone = (
      method: 'GET' | 'POST',
      url: string,
      hooks: ReturnType<typeof forbidImpersonation>[],
      after: ReturnType<typeof forbidImpersonation>[] = [],
    ) =>
      app.register(async (child: FastifyInstance) => {
        for (const hook of hooks) child.addHook('onRequest', hook);
        await child.register(pomeriumAuth, options);
        child.route({ method, url, onRequest: after, handler: whoami });
      });
    const grants = allowImpersonation(CONFORMANCE_ROUTE_GRANTS);
    alone('GET', '/whoami', []);
    alone('POST', '/whoami', []);
    alone('GET', '/forbidden-impersonation', [forbidImpersonation()]);
    alone('GET', '/slow-forbidden-impersonation', [slow, forbidImpersonation()]);
    alone('GET', '/route-grants', [grants]);
    alone('POST', '/route-grants', [grants]);
    alone('GET', '/require-authentication', [], [requireAuthentication()]);
    alone('GET', '/policy', [requirePolicy(CONFORMANCE_POLICY)]);
    return listen(app);
  }
  await app.register(pomeriumAuth, options);
  const route = (config: object, hook?: ReturnType<typeof forbidImpersonation>) =>
    (rules === 'config'
      ? { config: { pomerium: config } }
      : { onRequest: hook ? [hook] : [] }) as RouteShorthandOptions;
  app.get('/whoami', whoami);
  app.post('/whoami', whoami);
  app.get(
    '/forbidden-impersonation',
    route({ impersonation: 'forbid' }, forbidImpersonation()),
    whoami,
  );
  app.get(
    '/policy',
    route({ policy: CONFORMANCE_POLICY }, requirePolicy(CONFORMANCE_POLICY)),
    whoami,
  );
  app.get(
    '/slow-forbidden-impersonation',
    rules === 'config'
      ? { config: { pomerium: { impersonation: 'forbid' } }, onRequest: [slow] }
      : { onRequest: [slow, forbidImpersonation()] },
    whoami,
  );
  const grants = allowImpersonation(CONFORMANCE_ROUTE_GRANTS);
  app.get('/route-grants', route(routeGrants, grants), whoami);
  app.post('/route-grants', route(routeGrants, grants), whoami);
  app.get(
    '/require-authentication',
    route({ authentication: 'required' }, requireAuthentication()),
    whoami,
  );
  return listen(app);
}

/** Listens on 127.0.0.1, port 0. */
export async function listen(app: FastifyInstance): Promise<ConformanceApp> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const running = await listenOnLoopback(app.server);
  return {
    url: running.url,
    close: async () => {
      await running.close();
      await app.close();
    },
  };
}
