// An Express service that lets Pomerium callers in through Passport, maps them to its own
// users, and answers refusals with the suite's JSON body and headers.
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import passport from 'passport';
import {
  PomeriumAuthError,
  PomeriumStrategy,
  pomeriumAuthErrorOf,
  type PomeriumAuthOptions,
} from '@pomerium-auth/passport';

interface Member {
  id: string;
  plan: 'free' | 'pro';
}
const members = new Map<string, Member>([
  ['alice', { id: 'alice', plan: 'pro' }],
  ['svc-reports', { id: 'svc-reports', plan: 'free' }],
]);

export function createApp(options: PomeriumAuthOptions = {}): express.Express {
  passport.use(
    new PomeriumStrategy(options, (identity, done) => {
      // done(null, false) refuses the caller: 401 invalid_token.
      done(null, members.get(identity.user.id) ?? false);
    }),
  );
  const app = express();
  app.use(passport.initialize());
  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });
  app.get(
    '/me',
    // Passport types the middleware it makes as `any`.
    passport.authenticate('pomerium', { session: false, failWithError: true }) as RequestHandler,
    (req, res) => {
      res.json(req.user);
    },
  );
  const answerAuthErrors: ErrorRequestHandler = (err, req, res, next) => {
    const authError =
      pomeriumAuthErrorOf(req) ?? (err instanceof PomeriumAuthError ? err : undefined);
    if (!authError) return next(err);
    res.status(authError.status).set(authError.headers).json(authError.toJSON());
  };
  app.use(answerAuthErrors);
  return app;
}
