import type { Identity, Principal } from '@pomerium-auth/core';

/**
 * What `pomeriumAuth()` sets in the context: `c.get('pomerium')` is the identity (undefined for
 * an anonymous request, `required: false`), `c.get('user')` the effective principal (option
 * `userProperty`, default `'user'`).
 *
 * @example
 * ```ts
 * import type { JwtVariables } from 'hono/jwt';
 * const app = new Hono<{ Variables: PomeriumVariables & { requestId: string } }>();
 * ```
 */
export type PomeriumVariables = {
  /** The identity; undefined for anonymous requests (`required: false`). */
  pomerium?: Identity;
  /** The effective principal (the impersonated user while impersonating). */
  user?: Principal;
};

/**
 * The Hono environment of an app guarded by `pomeriumAuth()`: `new Hono<PomeriumEnv>()` types
 * `c.get('pomerium')` and `c.get('user')` in every handler.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { pomeriumAuth, type PomeriumEnv } from '@pomerium-auth/hono';
 *
 * const app = new Hono<PomeriumEnv>();
 * app.use(pomeriumAuth(options));
 * app.get('/me', (c) => c.json({ id: c.get('user')?.id }));
 * ```
 */
export type PomeriumEnv = { Variables: PomeriumVariables };
