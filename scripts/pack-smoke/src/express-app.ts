// The README's smallest example, with req.user typed by the opt-in global declaration.
import express from 'express';
import type {} from '@pomerium-auth/express/global';
import { pomeriumAuth } from '@pomerium-auth/express';
import { running, type StartApp } from './serve.js';

export const start: StartApp = (options) => {
  const app = express();
  app.use(pomeriumAuth(options));
  app.get('/me', (req, res) => {
    res.json({ id: req.user?.id, groups: req.user?.groups, by: req.pomerium?.initiator.id });
  });
  return running(app.listen(0, '127.0.0.1'));
};
