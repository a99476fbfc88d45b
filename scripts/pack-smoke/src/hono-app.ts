import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { pomeriumAuth, type PomeriumEnv } from '@pomerium-auth/hono';
import { running, type StartApp } from './serve.js';

export const start: StartApp = (options) => {
  const app = new Hono<PomeriumEnv>();
  app.use(pomeriumAuth(options));
  app.get('/me', (c) => c.json({ id: c.get('user')?.id, groups: c.get('user')?.groups }));
  return running(serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server);
};
