import type { Identity, Principal } from '@pomerium-auth/core';
import type { FastifyRequest } from 'fastify';
import type { PomeriumRouteConfig } from './route-config.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The identity the `pomeriumAuth` plugin established; `undefined` for an anonymous request
     * (`required: false`) and in a context where the plugin is not registered.
     */
    pomerium?: Identity;
    /**
     * The effective principal (the impersonated user while impersonating), set by the
     * `pomeriumAuth` plugin unless its `userProperty` option names another property or is `false`.
     * `undefined` for an anonymous request; `null` can only come from another plugin that
     * declared `user` first (`@fastify/passport`), whose initial value is kept.
     */
    user?: Principal | null;
  }

  interface FastifyContextConfig {
    /**
     * This route's rules for the `pomeriumAuth` plugin, part of the one decision it makes:
     * `{ impersonation: 'forbid' }`, `{ impersonation: { grants } }`, `{ authentication: 'required' }`.
     */
    pomerium?: PomeriumRouteConfig;
  }
}

/**
 * A Fastify request after the `pomeriumAuth` plugin, with the effective principal under another
 * name than `user` (option `userProperty`).
 *
 * @example
 * ```ts
 * import type { PomeriumRequest } from '@pomerium-auth/fastify';
 *
 * await app.register(pomeriumAuth, { ...options, userProperty: 'principal' });
 * app.get('/me', async (request) => ({ id: (request as PomeriumRequest<'principal'>).principal?.id }));
 * ```
 */
export type PomeriumRequest<UserProperty extends string = 'user'> = FastifyRequest & {
  [K in UserProperty]?: Principal | null;
};
