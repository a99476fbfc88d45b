import {
  createPomeriumAuth,
  toAuthRequest,
  type Identity,
  type PomeriumAuthOptions,
} from '@pomerium-auth/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { answerError, gate } from './request-state.js';

/**
 * Express middleware (Express 4 and 5) that authenticates each request with Pomerium's identity
 * assertion or a service-account token, applies impersonation, and sets `req.pomerium` (the
 * identity) and `req.user` (the effective principal; option `userProperty`). Options are those of
 * `createPomeriumAuth` in `@pomerium-auth/core`; bad options throw here, at start-up.
 *
 * Use it app-wide (`app.use`), or on a route after `forbidImpersonation()` /
 * `allowImpersonation()`, so the route's rule is part of the one decision.
 *
 * @param options - the suite's one options object (see `@pomerium-auth/core`).
 * @throws {PomeriumAuthConfigError} at start-up, for invalid options.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { pomeriumAuth } from '@pomerium-auth/express';
 *
 * const app = express();
 * app.use(pomeriumAuth({ jwksUrl: 'https://app.example.com/.well-known/pomerium/jwks.json', audience: 'app.example.com' }));
 * app.get('/me', (req, res) => res.json(req.pomerium?.user));
 * ```
 */
export function pomeriumAuth(options: PomeriumAuthOptions = {}): RequestHandler {
  const auth = createPomeriumAuth(options);
  const { userProperty } = auth.settings;

  function accept(req: Request, next: NextFunction, identity: Identity | undefined): void {
    if (identity) {
      req.pomerium = identity;
      if (userProperty !== false)
        (req as unknown as Record<string, unknown>)[userProperty] = identity.user;
    }
    next();
  }

  return function pomeriumAuthMiddleware(req: Request, res: Response, next: NextFunction): void {
    let decided: ReturnType<typeof auth.decide>;
    try {
      // Route helpers placed before this middleware left their rules: the gate hands them to core.
      decided = gate.decide(auth, req, toAuthRequest(req));
    } catch (err) {
      return answerError(err, auth, res, next);
    }
    // Decided in this turn (a cached token, say): the request goes on without a trip through the microtask queue.
    if (decided instanceof Promise) {
      // What throws past the decision goes to Express as a synchronous throw would (Express
      // catches those): left to the promise, it would be an unhandled rejection, ending the process.
      decided
        .then(
          (identity) => accept(req, next, identity),
          (err: unknown) => answerError(err, auth, res, next),
        )
        .catch(next);
    } else {
      accept(req, next, decided);
    }
  };
}
