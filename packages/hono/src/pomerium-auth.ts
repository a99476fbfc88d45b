import { createPomeriumAuth, type Identity, type PomeriumAuthOptions } from '@pomerium-auth/core';
import type { MiddlewareHandler } from 'hono';
import { answerError } from './error-answer.js';
import type { PomeriumEnv } from './hono-env.js';
import { authRequestOf, hideRemovedHeaders } from './hono-request.js';
import { gate } from './request-state.js';

/**
 * Hono middleware (Hono 4; on Node through `@hono/node-server`) that authenticates each request
 * with Pomerium's identity assertion or a service-account token, applies impersonation, and sets
 * `c.get('pomerium')` (the identity) and `c.get('user')` (the effective principal; option
 * `userProperty`). Options are those of `createPomeriumAuth` in `@pomerium-auth/core`; bad options
 * throw here, at start-up.
 *
 * Use it app-wide (`app.use`), or on a route after `forbidImpersonation()` /
 * `allowImpersonation()`, so the route's rule is part of the one decision.
 *
 * @param options - the suite's one options object (see `@pomerium-auth/core`).
 * @throws {PomeriumAuthConfigError} at start-up, for invalid options.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { serve } from '@hono/node-server';
 * import { pomeriumAuth, type PomeriumEnv } from '@pomerium-auth/hono';
 *
 * const app = new Hono<PomeriumEnv>();
 * app.use(pomeriumAuth({ jwksUrl: 'https://app.example.com/.well-known/pomerium/jwks.json', audience: 'app.example.com' }));
 * app.get('/me', (c) => c.json(c.get('user') ?? null));
 * serve({ fetch: app.fetch, port: 3000 });
 * ```
 */
export function pomeriumAuth(options: PomeriumAuthOptions = {}): MiddlewareHandler<PomeriumEnv> {
  const auth = createPomeriumAuth(options);
  const { userProperty } = auth.settings;
  return async function pomeriumAuthMiddleware(c, next) {
    const request = authRequestOf(c);
    const rawLines = request.rawHeaders?.length ?? 0;
    let identity: Identity | undefined;
    try {
      // Route helpers placed before this middleware left their rules: the gate hands them to core.
      // A decision made in this turn (a cached token, say) is not awaited.
      const decided = gate.decide(auth, c, request);
      identity = decided instanceof Promise ? await decided : decided;
    } catch (err) {
      return answerError(c, err, auth);
    }
    hideRemovedHeaders(c, request, rawLines);
    if (identity) {
      c.set('pomerium', identity);
      if (userProperty !== false) c.set(userProperty as 'user', identity.user);
    }
    await next();
  };
}
