import express from 'express';
import { profileOf } from '@pomerium-auth/example-support';
import {
  compilePolicy,
  forbidImpersonation,
  pomeriumAuth,
  requirePolicy,
  type PomeriumAuthOptions,
  type PomeriumRequest,
} from '@pomerium-auth/express';

/** The staff board: members of the staff group (Pomerium's policy language). */
export const STAFF_POLICY = compilePolicy(
  `
allow:
  or:
    - groups: { has: staff }
`,
  { name: 'staff' },
);

/** Finance: the finance group only. */
export const FINANCE_POLICY = compilePolicy(
  { allow: { or: [{ groups: { has: 'finance' } }] } },
  { name: 'finance' },
);

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

  // Policies judge the effective user: an admin acting as user_1 goes where user_1 goes.
  app.get('/api/staff-board', requirePolicy(STAFF_POLICY), (req, res) => {
    const { user } = req as PomeriumRequest;
    res.json({ board: ['stand-up at 9:30'], readBy: user!.id });
  });
  app.get('/api/finance', requirePolicy(FINANCE_POLICY), (req, res) => {
    const { user } = req as PomeriumRequest;
    res.json({ ledger: [], readBy: user!.id });
  });

  // Money moves only on the real user's say: no impersonation here.
  app.post('/api/payments', forbidImpersonation(), (req, res) => {
    const { user } = req as PomeriumRequest;
    res.status(201).json({ payment: 'accepted', by: user!.id });
  });

  return app;
}
