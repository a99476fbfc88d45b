import {
  createPomeriumAuth,
  toAuthRequest,
  type AuthRequest,
  type Identity,
  type PomeriumAuth,
  type PomeriumAuthOptions,
  type RouteRule,
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
import {
  DECIDED_BY,
  PENDING_RULES,
  answerError,
  markDecided,
  pendingRules,
} from './request-state.js';

/** Options Fastify's `register` reads for itself: never the plugin's. */
const REGISTER_OPTIONS = ['prefix', 'logLevel', 'logSerializers'] as const;

function declareRequestProperty(fastify: FastifyInstance, name: string | symbol): void {
  // Another plugin (or this one, registered twice) may have declared it: share it, as Passport's users share req.user.
  if (!fastify.hasRequestDecorator(name)) fastify.decorateRequest(name, null);
}

/** This request's rules: the route's `config.pomerium` first (the decision), then those of rule hooks that ran before the plugin's (they narrow). */
function rulesOf(
  route: RouteRule | undefined,
  pending: RouteRule[] | undefined,
): RouteRule | RouteRule[] | undefined {
  if (pending === undefined) return route;
  return route === undefined ? pending : [route, ...pending];
}

async function pomeriumAuthPlugin(
  fastify: FastifyInstance,
  pluginOptions: PomeriumAuthOptions,
): Promise<void> {
  const options: Record<string, unknown> = { ...pluginOptions };
  for (const name of REGISTER_OPTIONS) delete options[name];
  const auth: PomeriumAuth = createPomeriumAuth(options as PomeriumAuthOptions);
  const userProperty = auth.options.userProperty ?? 'user';

  declareRequestProperty(fastify, 'pomerium');
  if (userProperty !== false) declareRequestProperty(fastify, userProperty);
  declareRequestProperty(fastify, DECIDED_BY);
  declareRequestProperty(fastify, PENDING_RULES);

  // Routes added once the plugin is loaded have their rules checked here, at start-up; routes
  // added before (in the same tick as an un-awaited register) are checked at their first request.
  fastify.addHook('onRoute', (route) => {
    checkRouteConfig(route.config?.pomerium);
  });

  function accept(
    request: FastifyRequest,
    reply: FastifyReply,
    done: HookHandlerDoneFunction,
    authRequest: AuthRequest,
    required: boolean,
    identity: Identity | undefined,
  ): void {
    markDecided(request, auth);
    if (identity) {
      request.pomerium = identity;
      if (userProperty !== false)
        (request as unknown as Record<string, unknown>)[userProperty] = identity.user;
    } else if (required) {
      try {
        auth.requireIdentity(undefined, authRequest);
      } catch (err) {
        return answerError(err, auth, reply, done);
      }
    }
    done();
  }

  fastify.addHook(
    'onRequest',
    function pomeriumAuthHook(request: FastifyRequest, reply: FastifyReply, done) {
      const authRequest = toAuthRequest(request);
      let required = false;
      let decided: ReturnType<PomeriumAuth['decide']>;
      try {
        const route = routeConfigOf(request);
        required = route?.required === true;
        decided = auth.decide(authRequest, rulesOf(route, pendingRules(request)));
      } catch (err) {
        return answerError(err, auth, reply, done);
      }
      // Decided in this turn (a cached token, say): the request goes on without a trip through the microtask queue.
      if (decided instanceof Promise) {
        decided.then(
          (identity) => accept(request, reply, done, authRequest, required, identity),
          (err: unknown) => answerError(err, auth, reply, done),
        );
      } else {
        accept(request, reply, done, authRequest, required, decided);
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
