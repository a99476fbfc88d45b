import type { Express, RequestHandler } from 'express';
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
  type PomeriumRequest,
} from '@pomerium-auth/express';

/** Serves the conformance routes with Express 4 or 5 (`createExpress` is that major's `express`). */
export async function startConformanceApp(
  createExpress: () => Express,
  options: PomeriumAuthOptions,
  placement: ConformancePlacement,
): Promise<ConformanceApp> {
  const app = createExpress();
  app.set('env', 'test'); // Express logs errors it handles unless env is 'test'
  // A request-scoped context entered before authentication: audit events must be delivered in it.
  app.use((req, _res, next) => conformanceContext.run(conformanceRequestId(req.headers), next));
  const auth = pomeriumAuth(options);
  const onRoute = placement === 'route' ? [auth] : [];
  if (placement === 'app-wide') app.use(auth);
  const whoami: RequestHandler = (req, res) => {
    res.json(whoamiBody(req.pomerium, req.headers, (req as PomeriumRequest).user));
  };
  const routeGrants = allowImpersonation(CONFORMANCE_ROUTE_GRANTS);
  app.get('/whoami', ...onRoute, whoami);
  app.post('/whoami', ...onRoute, whoami);
  app.get('/forbidden-impersonation', forbidImpersonation(), ...onRoute, whoami);
  const slow: RequestHandler = (_req, _res, next) => void setTimeout(next, 1);
  app.get('/slow-forbidden-impersonation', slow, forbidImpersonation(), ...onRoute, whoami);
  app.get('/route-grants', routeGrants, ...onRoute, whoami);
  app.post('/route-grants', routeGrants, ...onRoute, whoami);
  app.get('/require-authentication', ...onRoute, requireAuthentication(), whoami);
  app.get('/policy', requirePolicy(CONFORMANCE_POLICY), ...onRoute, whoami);
  return listen(app);
}

/** Listens on 127.0.0.1, port 0. */
export function listen(app: Express): Promise<ConformanceApp> {
  return listenOnLoopback(app.listen(0, '127.0.0.1'));
}
