import 'reflect-metadata';
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Controller, Get, Module, Req, type DynamicModule, type Type } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { pomeriumAuth as expressPomeriumAuth } from '@pomerium-auth/express';
import { pomeriumAuth as koaPomeriumAuth } from '@pomerium-auth/koa';
import { PomeriumAuthGuard, PomeriumAuthModule } from '@pomerium-auth/nest';
import { pomeriumAuth as fastifyPomeriumAuth } from '@pomerium-auth/fastify';
import { pomeriumAuth as honoPomeriumAuth, type PomeriumVariables } from '@pomerium-auth/hono';
import type { Identity, PomeriumAuthOptions, Principal } from '@pomerium-auth/core';
import {
  importVerificationKey,
  leaseSignatureWorkers,
  parseCheckedJws,
} from '@pomerium-auth/core/internal';
import fastifyJwt from '@fastify/jwt';
import { createAdaptorServer } from '@hono/node-server';
import express, { type Request, type RequestHandler, type Response } from 'express';
import { expressjwt } from 'express-jwt';
import { auth as oauth2JwtBearer } from 'express-oauth2-jwt-bearer';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { Hono } from 'hono';
import { jwk } from 'hono/jwk';
import Koa from 'koa';
import koaJwt from 'koa-jwt';
import passport from 'passport';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';
import pino from 'pino';
import {
  BENCH_GRANTS,
  BENCH_PATH,
  BENCH_POLICY,
  BENCH_VARIANTS,
  type BenchVariant,
  type HttpConfig,
} from './http-config.js';

/** Every server answers `GET /whoami` with a small JSON body naming the user it saw. */
export type ServerName =
  | 'express'
  | 'express+pomeriumAuth'
  | 'express+pomeriumAuth(main-thread)'
  | 'express+pomeriumAuth(worker-threads)'
  | 'express+pomeriumAuth(main-thread, policy variants)'
  | 'express+pomeriumAuth(main-thread, audit variants)'
  | 'express+crypto-verify'
  | 'express+crypto-verify+identity'
  | 'express+worker-pool-only'
  | 'express+identity-only'
  | 'express+express-jwt'
  | 'express+express-oauth2-jwt-bearer'
  | 'express+passport-jwt'
  | 'koa'
  | 'koa+pomeriumAuth'
  | 'koa+koa-jwt'
  | 'nest'
  | 'nest+PomeriumAuthGuard'
  | 'fastify'
  | 'fastify+pomeriumAuth'
  | 'fastify+identity-only'
  | 'fastify+@fastify/jwt'
  | 'hono'
  | 'hono+pomeriumAuth'
  | 'hono+identity-only'
  | 'hono+jwk';

const ASSERTION = 'x-pomerium-jwt-assertion';

function pomeriumOptions(
  config: HttpConfig,
  more: Partial<PomeriumAuthOptions> = {},
): PomeriumAuthOptions {
  return {
    ...more,
    jwksUrl: config.jwksUrl,
    issuer: config.issuer,
    audience: config.audience,
    sharedSecret: config.sharedSecret,
    impersonation: { grants: BENCH_GRANTS },
    env: false,
    logger: { warn: () => undefined },
  };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/**
 * The fixed identity the floor cases attach: what any authentication middleware hands a handler,
 * built per request as a real one would be.
 */
function fixedIdentity(): Identity {
  const user: Principal = { id: 'bot-0', groups: [], kind: 'service-account', claims: {} };
  return {
    user,
    initiator: user,
    impersonating: false,
    credential: { source: 'authorization-bearer-pomerium' },
    requestId: 'bench',
  };
}

/**
 * The floor of verifying an assertion in Express: a middleware that does nothing but split the
 * header and `crypto.verify` its ES256 signature (the key imported once, from DER, as core does),
 * then calls `next()`. No claims, no identity, nothing on `req`: what is left of any verifier.
 */
function cryptoVerifyOnly(config: HttpConfig): express.RequestHandler {
  const key: KeyObject = createPublicKey({
    key: createPublicKey(config.publicPem).export({ format: 'der', type: 'spki' }),
    format: 'der',
    type: 'spki',
  });
  const verifyKey = { key, dsaEncoding: 'ieee-p1363' as const };
  return (req, res, next) => {
    const token = req.headers[ASSERTION];
    const dot = typeof token === 'string' ? token.lastIndexOf('.') : -1;
    if (
      dot > 0 &&
      verify(
        'sha256',
        Buffer.from((token as string).slice(0, dot), 'latin1'),
        verifyKey,
        Buffer.from((token as string).slice(dot + 1), 'base64url'),
      )
    )
      return next();
    res.status(401).end();
  };
}

/**
 * The floor of checking the assertion off the event loop: the header parsed as core parses it
 * and its ES256 signature checked in core's own signature-worker pool (the one
 * `assertionVerification: 'auto'` leases), then `next()`. No claims, no identity, nothing on
 * `req`: what verifying off the thread costs before any of the work a middleware does with the
 * token.
 */
function workerPoolOnly(config: HttpConfig): express.RequestHandler {
  const keys = [importVerificationKey(config.publicPem)];
  const signatures = leaseSignatureWorkers();
  const answer = (ok: boolean, res: Response, next: express.NextFunction) =>
    ok ? next() : void res.status(401).end();
  return (req, res, next) => {
    const token = req.headers[ASSERTION];
    let verified: boolean | Promise<boolean>;
    try {
      verified = typeof token === 'string' && signatures.check(parseCheckedJws(token), keys);
    } catch {
      verified = false;
    }
    if (verified instanceof Promise) void verified.then((ok) => answer(ok, res, next));
    else answer(verified, res, next);
  };
}

/**
 * The audit logger core's README shows: pino writing to a file through an asynchronous
 * destination (`sync: false`, 4 KiB buffered per write). The file is in a directory of its own
 * under the system's temporary directory, removed when the process exits.
 */
function pinoAudit(): pino.Logger {
  const dir = mkdtempSync(join(tmpdir(), 'pomerium-auth-bench-audit-'));
  const destination = pino.destination({
    dest: join(dir, 'audit.log'),
    sync: false,
    minLength: 4096,
  });
  // pino flushes the destination at exit itself; the file goes with its directory.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return pino(destination);
}

/** Spans of each variant's middleware (µs), since the server process last took them. */
const spans = new Map<BenchVariant, number[]>(BENCH_VARIANTS.map((v) => [v, []]));

/**
 * The spans recorded since the last call, by variant, emptied: each is the time from the layer
 * before the variant's middleware to the layer after it, on one request.
 */
export function takeMiddlewareSpans(): Partial<Record<BenchVariant, number[]>> {
  const taken: Partial<Record<BenchVariant, number[]>> = {};
  for (const [variant, list] of spans) if (list.length > 0) taken[variant] = list.splice(0);
  return taken;
}

/**
 * One route whose middleware is chosen per request among `variants`, timed with
 * `performance.now()` from the layer before it to the layer after it. Every variant runs in the
 * same process, requests interleaved, so their spans differ only by what the variants do (not by
 * a process's own JIT state or memory layout, which moved two identical servers' medians apart
 * by up to 20 µs). Decisions must be synchronous (main-thread), so no other request's layers
 * run in between.
 */
function variantsApp(
  variants: Partial<Record<BenchVariant, express.RequestHandler>>,
): express.Express {
  let started = -1;
  let chosen: BenchVariant = 'none';
  return expressApp(
    [
      (req, _res, next) => {
        const asked = req.headers['x-bench-variant'];
        chosen =
          typeof asked === 'string' && variants[asked as BenchVariant] !== undefined
            ? (asked as BenchVariant)
            : 'none';
        started = performance.now();
        next();
      },
      (req, res, next) => variants[chosen]!(req, res, next),
      (_req, _res, next) => {
        if (started >= 0) spans.get(chosen)!.push((performance.now() - started) * 1000);
        started = -1;
        next();
      },
    ],
    userId,
  );
}

/** The id of the principal an Express middleware put under `req.user`. */
const userId = (req: Request): string => (req.user as { id: string }).id;

function expressApp(
  auth: express.RequestHandler[],
  userOf: (req: Request) => string,
): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get(BENCH_PATH, ...auth, (req: Request, res: Response) => {
    res.json({ user: userOf(req) });
  });
  return app;
}

function expressServer(name: ServerName, config: HttpConfig): express.Express {
  switch (name) {
    case 'express':
      return expressApp([], () => 'anonymous');
    case 'express+pomeriumAuth':
      return expressApp([expressPomeriumAuth(pomeriumOptions(config))], userId);
    case 'express+pomeriumAuth(main-thread)':
    case 'express+pomeriumAuth(worker-threads)':
      return expressApp(
        [
          expressPomeriumAuth(
            pomeriumOptions(config, {
              assertionVerification: name.endsWith('(main-thread)')
                ? 'main-thread'
                : 'worker-threads',
            }),
          ),
        ],
        userId,
      );
    case 'express+pomeriumAuth(main-thread, policy variants)': {
      // The policy's cost: see variantsApp.
      const plain = () =>
        expressPomeriumAuth(pomeriumOptions(config, { assertionVerification: 'main-thread' }));
      return variantsApp({
        none: plain(),
        again: plain(),
        policy: expressPomeriumAuth(
          pomeriumOptions(config, { assertionVerification: 'main-thread', policy: BENCH_POLICY }),
        ),
      });
    }
    case 'express+pomeriumAuth(main-thread, audit variants)':
      return variantsApp({
        none: expressPomeriumAuth(
          pomeriumOptions(config, { assertionVerification: 'main-thread' }),
        ),
        // The set-up core's README recommends: pino on an asynchronous file destination.
        pino: expressPomeriumAuth(
          pomeriumOptions(config, { assertionVerification: 'main-thread', audit: pinoAudit() }),
        ),
      });
    case 'express+crypto-verify':
      return expressApp([cryptoVerifyOnly(config)], () => 'verified');
    case 'express+worker-pool-only':
      return expressApp([workerPoolOnly(config)], () => 'verified');
    case 'express+crypto-verify+identity':
      // The two floors together: the least an Express verifier does that also hands an identity on.
      return expressApp(
        [
          cryptoVerifyOnly(config),
          (req: Request, _res: Response, next: express.NextFunction) => {
            const identity = fixedIdentity();
            req.pomerium = identity;
            req.user = identity.user;
            next();
          },
        ],
        () => 'verified',
      );
    case 'express+identity-only':
      // What any authentication middleware pays in Express before it checks a thing: one more
      // layer, and the two properties it adds to req (see bench/README.md, per-request cost).
      return expressApp(
        [
          (req: Request, _res: Response, next: express.NextFunction) => {
            const identity = fixedIdentity();
            req.pomerium = identity;
            req.user = identity.user;
            next();
          },
        ],
        userId,
      );
    case 'express+express-jwt':
      return expressApp(
        [
          expressjwt({
            secret: config.publicPem,
            algorithms: ['ES256'],
            issuer: config.issuer,
            audience: config.audience,
            getToken: (req) => req.headers[ASSERTION] as string | undefined,
          }),
        ],
        (req) => String((req as Request & { auth?: { sub?: string } }).auth?.sub),
      );
    case 'express+express-oauth2-jwt-bearer':
      // It reads only `Authorization: Bearer`, and keys only from a JWKS URL: the load sends the same assertions there.
      return expressApp(
        [
          oauth2JwtBearer({
            issuer: config.issuer,
            audience: config.audience,
            jwksUri: config.jwksUrl,
            tokenSigningAlg: 'ES256',
          }),
        ],
        (req) => String(req.auth?.payload.sub),
      );
    case 'express+passport-jwt': {
      const strategy = new JwtStrategy(
        {
          jwtFromRequest: ExtractJwt.fromHeader(ASSERTION),
          secretOrKey: config.publicPem,
          algorithms: ['ES256'],
          issuer: config.issuer,
          audience: config.audience,
        },
        (payload: { sub: string }, done: (err: unknown, user: unknown) => void) =>
          done(null, { id: payload.sub }),
      );
      passport.use(strategy);
      return expressApp(
        // Passport types the middleware it makes as `any`.
        [passport.initialize(), passport.authenticate('jwt', { session: false }) as RequestHandler],
        userId,
      );
    }
    default:
      throw new Error(`not an Express server: ${name}`);
  }
}

function koaServer(name: ServerName, config: HttpConfig): Koa {
  const app = new Koa();
  if (name === 'koa+pomeriumAuth') app.use(koaPomeriumAuth(pomeriumOptions(config)));
  if (name === 'koa+koa-jwt') {
    app.use(
      koaJwt({
        secret: config.publicPem,
        algorithms: ['ES256'],
        issuer: config.issuer,
        audience: config.audience,
        getToken: (ctx) => ctx.get(ASSERTION) || null,
      }),
    );
  }
  app.use((ctx) => {
    if (ctx.method !== 'GET' || ctx.path !== BENCH_PATH) return;
    const user = ctx.state.user as { id?: string; sub?: string } | undefined;
    ctx.body = { user: user?.id ?? user?.sub ?? 'anonymous' };
  });
  return app;
}

/** Who a Fastify request says it is: pomeriumAuth's principal, or @fastify/jwt's payload. */
function fastifyUserId(request: FastifyRequest): string {
  const user = (request as unknown as { user?: { id?: string; sub?: string } | null }).user;
  return user?.id ?? user?.sub ?? 'anonymous';
}

async function fastifyServer(name: ServerName, config: HttpConfig): Promise<FastifyInstance> {
  const app = Fastify();
  switch (name) {
    case 'fastify':
      break;
    case 'fastify+pomeriumAuth':
      await app.register(fastifyPomeriumAuth, pomeriumOptions(config));
      break;
    case 'fastify+identity-only':
      // The least a Fastify authentication plugin does: declare the request properties and set
      // them in an onRequest hook (see bench/README.md, per-request cost).
      app.decorateRequest('pomerium', undefined);
      app.decorateRequest('user', undefined);
      app.addHook('onRequest', (request, _reply, done) => {
        const identity = fixedIdentity();
        request.pomerium = identity;
        request.user = identity.user;
        done();
      });
      break;
    case 'fastify+@fastify/jwt':
      await app.register(fastifyJwt, {
        secret: { public: config.publicPem },
        verify: {
          algorithms: ['ES256'],
          allowedIss: config.issuer,
          allowedAud: config.audience,
          extractToken: (request) => request.headers[ASSERTION] as string | undefined,
        },
      });
      app.addHook('onRequest', async (request) => {
        await request.jwtVerify();
      });
      break;
    default:
      throw new Error(`not a Fastify server: ${name}`);
  }
  app.get(BENCH_PATH, (request) => ({ user: fastifyUserId(request) }));
  return app;
}

/** pomeriumAuth's variables, and hono/jwk's verified payload. */
type HonoBenchEnv = { Variables: PomeriumVariables & { jwtPayload?: { sub?: string } } };

/**
 * hono/jwk fetches `jwks_uri` on every request (it has no key cache), which would measure the key
 * server; it gets the key set fetched once from the same loopback JWKS server instead.
 */
async function honoServer(name: ServerName, config: HttpConfig): Promise<Hono<HonoBenchEnv>> {
  const app = new Hono<HonoBenchEnv>();
  switch (name) {
    case 'hono':
      break;
    case 'hono+pomeriumAuth':
      app.use(honoPomeriumAuth(pomeriumOptions(config)));
      break;
    case 'hono+identity-only':
      app.use(async (c, next) => {
        const identity = fixedIdentity();
        c.set('pomerium', identity);
        c.set('user', identity.user);
        await next();
      });
      break;
    case 'hono+jwk': {
      const { keys } = (await (await fetch(config.jwksUrl)).json()) as { keys: object[] };
      app.use(
        jwk({
          keys: keys as never,
          alg: ['ES256'],
          verification: { iss: config.issuer, aud: config.audience },
        }),
      );
      break;
    }
    default:
      throw new Error(`not a Hono server: ${name}`);
  }
  app.get(BENCH_PATH, (c) =>
    c.json({ user: c.get('user')?.id ?? c.get('jwtPayload')?.sub ?? 'anonymous' }),
  );
  return app;
}

@Controller()
class WhoamiController {
  @Get(BENCH_PATH)
  whoami(@Req() req: { user?: { id: string } }): { user: string } {
    return { user: req.user?.id ?? 'anonymous' };
  }
}

function nestModule(name: ServerName, config: HttpConfig): Type | DynamicModule {
  if (name === 'nest') {
    @Module({ controllers: [WhoamiController] })
    class BareModule {}
    return BareModule;
  }
  @Module({
    imports: [PomeriumAuthModule.forRoot(pomeriumOptions(config))],
    controllers: [WhoamiController],
    providers: [{ provide: APP_GUARD, useClass: PomeriumAuthGuard }],
  })
  class GuardedModule {}
  return GuardedModule;
}

/** A running benchmark server. */
export interface BenchServer {
  port: number;
  close: () => Promise<void>;
}

async function nodeServer(server: Server): Promise<BenchServer> {
  const port = await listen(server);
  return {
    port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Starts one benchmark server on 127.0.0.1 (port 0).
 *
 * @example
 * ```ts
 * const { port, close } = await startBenchServer('express+pomeriumAuth', config);
 * ```
 */
export async function startBenchServer(name: ServerName, config: HttpConfig): Promise<BenchServer> {
  if (name.startsWith('express')) return nodeServer(createServer(expressServer(name, config)));
  if (name.startsWith('koa')) {
    // Koa's handler settles every request itself (its errors go to ctx.onerror): nothing to await.
    const handle = koaServer(name, config).callback();
    return nodeServer(createServer((req, res) => void handle(req, res)));
  }
  if (name.startsWith('fastify')) {
    const app = await fastifyServer(name, config);
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { port: (app.server.address() as AddressInfo).port, close: () => app.close() };
  }
  if (name.startsWith('hono')) {
    const app = await honoServer(name, config);
    return nodeServer(createAdaptorServer({ fetch: app.fetch }) as Server);
  }
  const app = await NestFactory.create(nestModule(name, config), {
    logger: false,
    abortOnError: false,
  });
  await app.listen(0, '127.0.0.1');
  // Nest types its HTTP server as `any`: with the Express platform, it is Node's.
  const server = app.getHttpServer() as Server;
  return { port: (server.address() as AddressInfo).port, close: () => app.close() };
}
