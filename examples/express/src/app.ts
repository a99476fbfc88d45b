import express from 'express';
import { forbidImpersonation, pomeriumAuth, type Identity, type PomeriumAuthOptions, type PomeriumRequest } from '@pomerium-auth/express';

/** What `GET /api/profile` answers: who you are, and who you act as. */
export function profileOf(identity: Identity) {
  const { user, initiator } = identity;
  return {
    user: { id: user.id, email: user.email ?? null, name: user.name ?? null, groups: user.groups, kind: user.kind },
    initiator: { id: initiator.id, email: initiator.email ?? null, kind: initiator.kind },
    impersonating: identity.impersonating,
    impersonation: identity.impersonation ?? null,
    credential: identity.credential.source,
  };
}

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
