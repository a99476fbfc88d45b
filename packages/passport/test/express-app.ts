// An Express app guarded by PomeriumStrategy, serving the conformance routes.
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import { Passport } from 'passport';
import {
  CONFORMANCE_POLICY,
  CONFORMANCE_ROUTE_GRANTS,
  conformanceContext,
  conformanceRequestId,
  whoamiBody,
  type ConformanceApp,
} from '@pomerium-auth/adapter-conformance';
import { PomeriumAuthError, type RouteRule } from '@pomerium-auth/core';
import {
  PomeriumStrategy,
  pomeriumAuthErrorOf,
  type PassportRequest,
  type PomeriumStrategyOptions,
} from '@pomerium-auth/passport';

/** Answers the strategy's refusals (and its 503 errors) with the error's status, headers and JSON body. */
export const answerAuthErrors: ErrorRequestHandler = (err, req, res, next) => {
  const authError =
    pomeriumAuthErrorOf(req) ?? (err instanceof PomeriumAuthError ? err : undefined);
  if (!authError) return next(err);
  res.status(authError.status).set(authError.headers).json(authError.toJSON());
};

export async function listen(app: express.Express): Promise<ConformanceApp> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function startConformanceApp(
  options: PomeriumStrategyOptions,
): Promise<ConformanceApp> {
  const passport = new Passport();
  passport.use(new PomeriumStrategy(options));
  const authenticate = (route?: RouteRule): RequestHandler =>
    passport.authenticate('pomerium', {
      session: false,
      failWithError: true,
      route,
    } as object) as RequestHandler;
  const whoami: RequestHandler = (req, res) => {
    res.json(whoamiBody((req as PassportRequest).pomerium, req.headers, req.user));
  };
  const app = express();
  // A request-scoped context entered before authentication: audit events must be delivered in it.
  app.use((req, _res, next) => conformanceContext.run(conformanceRequestId(req.headers), next));
  app.use(passport.initialize());
  app.all('/whoami', authenticate(), whoami);
  app.all('/forbidden-impersonation', authenticate({ impersonation: 'forbid' }), whoami);
  const slow: RequestHandler = (_req, _res, next) => void setTimeout(next, 1);
  app.all('/slow-forbidden-impersonation', slow, authenticate({ impersonation: 'forbid' }), whoami);
  app.all('/policy', authenticate({ policy: CONFORMANCE_POLICY }), whoami);
  app.all(
    '/route-grants',
    authenticate({ impersonation: { grants: CONFORMANCE_ROUTE_GRANTS } }),
    whoami,
  );
  app.use(answerAuthErrors);
  return listen(app);
}

export type { Request };
