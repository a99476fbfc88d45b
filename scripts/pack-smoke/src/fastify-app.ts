import Fastify from 'fastify';
import { pomeriumAuth } from '@pomerium-auth/fastify';
import type { StartApp } from './serve.js';

export const start: StartApp = async (options) => {
  const app = Fastify();
  await app.register(pomeriumAuth, options);
  app.get('/me', async (request) => ({ id: request.user?.id, groups: request.user?.groups }));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close() };
};
