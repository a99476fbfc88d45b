import Koa from 'koa';
import { pomeriumAuth, type PomeriumState } from '@pomerium-auth/koa';
import { running, type StartApp } from './serve.js';

export const start: StartApp = (options) => {
  const app = new Koa<PomeriumState>();
  app.use(pomeriumAuth(options));
  app.use((ctx) => {
    ctx.body = { id: ctx.state.user?.id, groups: ctx.state.user?.groups };
  });
  return running(app.listen(0, '127.0.0.1'));
};
