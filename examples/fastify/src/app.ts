import type { Server } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { profileOf, type ListenableApp } from '@pomerium-auth/example-support';
import { pomeriumAuth, type PomeriumAuthOptions } from '@pomerium-auth/fastify';

/**
 * The example app: a service behind Pomerium that machines call too, and where admins may act as
 * users, except on payments.
 *
 * @example
 * ```ts
 * await createApp(devOptions({ jwksUrl, issuer, audience })).listen({ port: 3000, host: '127.0.0.1' });
 * ```
 */
export function createApp(options: PomeriumAuthOptions): FastifyInstance {
  const app = Fastify();
  // Public: outside the context the plugin guards.
  app.get('/healthz', () => ({ ok: true }));

  app.register(
    async (api) => {
      await api.register(pomeriumAuth, options);

      api.get('/profile', (request) => profileOf(request.pomerium!));

      // Any authenticated caller: people through Pomerium, machines with a service-account token.
      api.get('/reports', (request) => ({
        reports: [{ id: 'q3-revenue', title: 'Q3 revenue' }],
        readBy: request.user!.id,
      }));

      // Money moves only on the real user's say: no impersonation here, decided with the rest.
      api.post(
        '/payments',
        { config: { pomerium: { impersonation: 'forbid' } } },
        async (request, reply) =>
          reply.code(201).send({ payment: 'accepted', by: request.user!.id }),
      );
    },
    { prefix: '/api' },
  );

  return app;
}

/**
 * The app as the shared dev server and story tests start it: `listen(port, host, callback)`
 * returning Node's server (Fastify's `listen` takes an options object and returns a promise).
 *
 * @example
 * ```ts
 * await startDevServer('example-fastify', (options) => listenable(createApp(options)));
 * ```
 */
export function listenable(app: FastifyInstance): ListenableApp {
  return {
    listen(port: number, host: string, callback: () => void): Server {
      app.listen({ port, host }).then(callback, (err: unknown) => app.server.emit('error', err));
      return app.server;
    },
  };
}
