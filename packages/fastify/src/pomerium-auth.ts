import {
  createPomeriumAuth,
  toAuthRequest,
  type Identity,
  type PomeriumAuth,
  type PomeriumAuthOptions,
} from '@pomerium-auth/core';
import type {
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
} from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { checkRouteConfig, routeConfigOf } from './route-config.js';
import { answerError, gate } from './request-state.js';

/** Options Fastify's `register` reads for itself: never the plugin's. */
const REGISTER_OPTIONS = ['prefix', 'logLevel', 'logSerializers'] as const;

function declareRequestProperty(fastify: FastifyInstance, name: string): void {
  // Another plugin (or this one, registered twice) may have declared it: share it, as Passport's users share req.user.
  // `undefined`, as the other adapters leave an anonymous request's properties (a value Fastify 5 takes: not a reference type).
  if (!fastify.hasRequestDecorator(name)) fastify.decorateRequest(name, undefined);
}

// eslint-disable-next-line @typescript-eslint/require-await -- Fastify waits on a plugin's promise (or its done callback): async is its contract
async function pomeriumAuthPlugin(
  fastify: FastifyInstance,
  pluginOptions: PomeriumAuthOptions,
): Promise<void> {
  const options: Record<string, unknown> = { ...pluginOptions };
  for (const name of REGISTER_OPTIONS) delete options[name];
  const auth: PomeriumAuth = createPomeriumAuth(options);
  const { userProperty } = auth.settings;

  declareRequestProperty(fastify, 'pomerium');
  if (userProperty !== false) declareRequestProperty(fastify, userProperty);

  // Routes added once the plugin is loaded have their rules checked here, at start-up; routes
  // added before (in the same tick as an un-awaited register) are checked at their first request.
  fastify.addHook('onRoute', (route) => {
    checkRouteConfig(route.config?.pomerium);
  });

  function accept(
    request: FastifyRequest,
    done: HookHandlerDoneFunction,
    identity: Identity | undefined,
  ): void {
    if (identity) {
      request.pomerium = identity;
      if (userProperty !== false)
        (request as unknown as Record<string, unknown>)[userProperty] = identity.user;
    }
    done();
  }

  fastify.addHook(
    'onRequest',
    function pomeriumAuthHook(request: FastifyRequest, reply: FastifyReply, done) {
      let decided: ReturnType<PomeriumAuth['decide']>;
      try {
        // The route's config.pomerium is part of the decision, before rules hooks left ahead of it.
        decided = gate.decide(auth, request, toAuthRequest(request), routeConfigOf(request));
      } catch (err) {
        return answerError(err, auth, reply, done);
      }
      // Decided in this turn (a cached token, say): the request goes on without a trip through the microtask queue.
      if (decided instanceof Promise) {
        // What throws past the decision goes to Fastify as a synchronous throw would (Fastify
        // catches those): left to the promise, it would be an unhandled rejection, ending the process.
        decided
          .then(
            (identity) => accept(request, done, identity),
            (err: unknown) => answerError(err, auth, reply, done),
          )
          .catch((err: Error) => done(err));
      } else {
        accept(request, done, decided);
      }
    },
  );
}

/**
 * Fastify plugin (Fastify 4.23+ and 5) that authenticates each request of the context it is
 * registered in with Pomerium's identity assertion or a service-account token, applies
 * impersonation, and sets `request.pomerium` (the identity) and `request.user` (the effective
 * principal; option `userProperty`). Options are those of `createPomeriumAuth` in
 * `@pomerium-auth/core`; bad options make `register` (and so `ready()` / `listen()`) fail with a
 * `PomeriumAuthConfigError`.
 *
 * It applies to the context that registers it and its children (it is wrapped with
 * `fastify-plugin`): registered inside an encapsulated plugin, it guards only that plugin's
 * routes. A route's `config.pomerium` rules are part of its decision; rule hooks
 * (`forbidImpersonation()`, ...) in a route's `onRequest` run after it and can only narrow.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { pomeriumAuth } from '@pomerium-auth/fastify';
 *
 * const app = Fastify();
 * await app.register(pomeriumAuth, { jwksUrl: 'https://app.example.com/.well-known/pomerium/jwks.json', audience: 'app.example.com' });
 * app.get('/me', async (request) => request.user);
 * app.post('/payments', { config: { pomerium: { impersonation: 'forbid' } } }, pay);
 * ```
 */
export const pomeriumAuth: FastifyPluginAsync<PomeriumAuthOptions> = fastifyPlugin(
  pomeriumAuthPlugin,
  { name: '@pomerium-auth/fastify', fastify: '>=4.23.0 <6' },
);
