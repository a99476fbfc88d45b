import express from 'express';
import { profileOf } from '@pomerium-auth/example-support';
import {
  forbidImpersonation,
  pomeriumAuth,
  type PomeriumAuthOptions,
  type PomeriumRequest,
} from '@pomerium-auth/express';

/**
 * The example app: a service behind Pomerium that machines call too, and where admins may act as
 * users, except on payments.
 *
 * @example
 * ```ts
 * createApp(devOptions({ jwksUrl, issuer, audience })).listen(3000, '127.0.0.1');
 * ```
 */
export function createApp(options: PomeriumAuthOptions): express.Express {
  const app = express();
  // Public: before authentication.
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });

  app.use(pomeriumAuth(options));

  app.get('/api/profile', (req, res) => {
    res.json(profileOf(req.pomerium!));
  });

  // Any authenticated caller: people through Pomerium, machines with a service-account token.
  app.get('/api/reports', (req, res) => {
    const { user } = req as PomeriumRequest;
    res.json({ reports: [{ id: 'q3-revenue', title: 'Q3 revenue' }], readBy: user!.id });
  });

  // Money moves only on the real user's say: no impersonation here.
  app.post('/api/payments', forbidImpersonation(), (req, res) => {
    const { user } = req as PomeriumRequest;
    res.status(201).json({ payment: 'accepted', by: user!.id });
  });

  return app;
}
