// Starts NestJS apps on 127.0.0.1 for the suite, on either HTTP platform.
import 'reflect-metadata';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { INestApplication, Type, ExceptionFilter } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { conformanceContext, conformanceRequestId } from '@pomerium-auth/adapter-conformance';

export type Platform = 'express' | 'fastify';
export const PLATFORMS: readonly Platform[] = ['express', 'fastify'];

export interface RunningApp {
  url: string;
  app: INestApplication;
  close(): Promise<void>;
}

export async function startNestApp(
  module: Type<unknown>,
  platform: Platform,
  filters: ExceptionFilter[] = [],
  configure?: (app: INestApplication) => void,
): Promise<RunningApp> {
  const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app = await NestFactory.create(module, adapter, { logger: false, abortOnError: false });
  if (filters.length) app.useGlobalFilters(...filters);
  // A request-scoped context entered before the guard (audit events must be delivered in it), and
  // an asynchronous middleware on one route, as apps have.
  app.use(
    (req: { headers: Record<string, unknown>; url?: string }, _res: unknown, next: () => void) =>
      conformanceContext.run(conformanceRequestId(req.headers), () => {
        if (req.url?.startsWith('/slow-')) setTimeout(next, 1);
        else next();
      }),
  );
  configure?.(app);
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, app, close: () => app.close() };
}

/** The NestJS versions this run really loads: resolved from the copy of the adapter, as its own imports are. */
export function loadedVersions(): { core: string; common: string; expected: number } {
  const fromAdapter = createRequire(import.meta.resolve('@pomerium-auth/nest'));
  const core = (fromAdapter('@nestjs/core/package.json') as { version: string }).version;
  const common = (fromAdapter('@nestjs/common/package.json') as { version: string }).version;
  const matrix = createRequire(import.meta.url)('../package.json') as {
    devDependencies: Record<string, string>;
  };
  const expected = Number(/\d+/.exec(matrix.devDependencies['@nestjs/core']!)![0]);
  return { core, common, expected };
}
