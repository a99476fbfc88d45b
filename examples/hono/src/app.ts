import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { profileOf, type ListenableApp } from '@pomerium-auth/example-support';
import {
  forbidImpersonation,
  pomeriumAuth,
  type PomeriumAuthOptions,
  type PomeriumEnv,
} from '@pomerium-auth/hono';

/**
 * The example app: a service behind Pomerium that machines call too, and where admins may act as
 * users, except on payments.
 *
 * @example
 * ```ts
 * serve({ fetch: createApp(devOptions({ jwksUrl, issuer, audience })).fetch, port: 3000 });
 * ```
 */
export function createApp(options: PomeriumAuthOptions): Hono<PomeriumEnv> {
  const app = new Hono<PomeriumEnv>();
  // Public: outside the paths the middleware guards.
  app.get('/healthz', (c) => c.json({ ok: true }));

  app.use('/api/*', pomeriumAuth(options));

  app.get('/api/profile', (c) => c.json(profileOf(c.get('pomerium')!)));

  // Any authenticated caller: people through Pomerium, machines with a service-account token.
  app.get('/api/reports', (c) =>
    c.json({ reports: [{ id: 'q3-revenue', title: 'Q3 revenue' }], readBy: c.get('user')!.id }),
  );

  // Money moves only on the real user's say: no impersonation here.
  app.post('/api/payments', forbidImpersonation(), (c) =>
    c.json({ payment: 'accepted', by: c.get('user')!.id }, 201),
  );

  return app;
}

/**
 * The app as the shared dev server and story tests start it: `listen(port, host, callback)`
 * returning Node's server, through `@hono/node-server`.
 *
 * @example
 * ```ts
 * await startDevServer('example-hono', (options) => listenable(createApp(options)));
 * ```
 */
export function listenable(app: Hono<PomeriumEnv>): ListenableApp {
  return {
    listen: (port: number, hostname: string, callback: () => void): Server =>
      serve({ fetch: app.fetch, port, hostname }, () => callback()) as Server,
  };
}
