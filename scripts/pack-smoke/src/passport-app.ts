import express from 'express';
import passport from 'passport';
import { PomeriumStrategy } from '@pomerium-auth/passport';
import { running, type StartApp } from './serve.js';

export const start: StartApp = (options) => {
  const strategies = new passport.Passport();
  strategies.use(new PomeriumStrategy(options));
  const app = express();
  app.get('/me', strategies.authenticate('pomerium', { session: false }), (req, res) => {
    res.json(req.user);
  });
  return running(app.listen(0, '127.0.0.1'));
};
