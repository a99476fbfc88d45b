import { createPomeriumAuth, type Identity, type PomeriumAuthOptions } from '@pomerium-auth/core';
import type { Middleware } from 'koa';
import { answerError, authRequestOf, gate, type PomeriumState } from './koa-state.js';

/**
 * Koa middleware (Koa 2 and 3) that authenticates each request with Pomerium's identity assertion
 * or a service-account token, applies impersonation, and sets `ctx.state.pomerium` (the identity)
 * and `ctx.state.user` (the effective principal; option `userProperty`). Options are those of
 * `createPomeriumAuth` in `@pomerium-auth/core`; bad options throw here, at start-up.
 *
 * @param options - the suite's one options object (see `@pomerium-auth/core`).
 * @throws {PomeriumAuthConfigError} at start-up, for invalid options.
 *
 * @example
 * ```ts
 * import Koa from 'koa';
 * import { pomeriumAuth } from '@pomerium-auth/koa';
 *
 * const app = new Koa().use(pomeriumAuth({ jwksUrl: 'https://app.example.com/.well-known/pomerium/jwks.json', audience: 'app.example.com' }));
 * app.use((ctx) => { ctx.body = ctx.state.pomerium?.user; });
 * ```
 */
export function pomeriumAuth(options: PomeriumAuthOptions = {}): Middleware<PomeriumState> {
  const auth = createPomeriumAuth(options);
  const { userProperty } = auth.settings;
  return async function pomeriumAuthMiddleware(ctx, next) {
    let identity: Identity | undefined;
    try {
      // Route helpers placed before this middleware left their rules: the gate hands them to core.
      // A decision made in this turn (a cached token, say) is not awaited: no trip through the microtask queue.
      const decided = gate.decide(auth, ctx, authRequestOf(ctx));
      identity = decided instanceof Promise ? await decided : decided;
    } catch (err) {
      return answerError(ctx, err, auth);
    }
    if (identity) {
      ctx.state.pomerium = identity;
      if (userProperty !== false)
        (ctx.state as Record<string, unknown>)[userProperty] = identity.user;
    }
    await next();
  };
}
