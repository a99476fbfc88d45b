import { AUDIT_VARIANTS, POLICY_VARIANTS, type BenchVariant } from './http-config.js';
import type { ServerName } from './servers.js';

/** One HTTP load case: a server, the headers of request `i`, and who the server must say it saw. */
export interface HttpCase {
  id: string;
  group: string;
  label: string;
  server: ServerName;
  /** The id of the group's bare-framework baseline (absent on the baseline). */
  baseline?: string;
  headers(i: number): Record<string, string>;
  /** The `user` the response of request `i` must name. */
  expectedUser(i: number): string;
}

/**
 * The variant request `i` asks for, in an order that looks random (Fibonacci hashing of `i`, its
 * high bits). In turn, each variant ran after the same one every time, and what the one before
 * left in the caches showed as a difference between two variants running the very same
 * middleware.
 */
function variantAt(i: number, variants: readonly BenchVariant[]): BenchVariant {
  return variants[Math.floor(((Math.imul(i, 0x9e3779b1) >>> 0) / 2 ** 32) * variants.length)]!;
}

/** Pre-minted tokens the load rotates through (minting is never part of a measured request). */
export interface HttpTokens {
  /** Distinct ES256 assertions of users `user_<i>` in group `admins`. */
  assertions: string[];
  /** One service-account token of user `bot-0`, sent again and again. */
  serviceAccount: string;
}

/**
 * The HTTP cases, in run order. Every authenticated case sends a fresh assertion per request
 * unless it says otherwise; the pool is larger than any verified-token cache, so rotating
 * through it never turns into cache hits. The repeated service-account case runs right after
 * bare Express, the baseline of its 0.9 target: the nearer in time two slices of a round are,
 * the less of the machine's drift their ratio carries. Fastify and Hono follow the same order:
 * bare, repeated service account, the floor beside it, then the fresh assertions.
 *
 * @example
 * ```ts
 * const cases = httpCases(tokens);
 * ```
 */
export function httpCases(tokens: HttpTokens): HttpCase[] {
  const pool = tokens.assertions;
  const at = (i: number): string => pool[i % pool.length]!;
  const userAt = (i: number): string => `user_${i % pool.length}`;
  const assertion = (i: number): Record<string, string> => ({ 'x-pomerium-jwt-assertion': at(i) });
  const none = (): Record<string, string> => ({});
  const serviceAccount = (): Record<string, string> => ({
    authorization: `Bearer Pomerium-${tokens.serviceAccount}`,
  });
  return [
    {
      id: 'http.express',
      group: 'Express 5',
      label: 'bare Express 5',
      server: 'express',
      headers: none,
      expectedUser: () => 'anonymous',
    },
    {
      id: 'http.express.pomerium.sa',
      group: 'Express 5',
      label: 'pomeriumAuth, repeated service-account token',
      server: 'express+pomeriumAuth',
      baseline: 'http.express',
      headers: serviceAccount,
      expectedUser: () => 'bot-0',
    },
    {
      id: 'http.express.identity-only',
      group: 'Express 5',
      label: 'floor: a middleware that only sets req.pomerium and req.user (same requests)',
      server: 'express+identity-only',
      baseline: 'http.express',
      headers: serviceAccount,
      expectedUser: () => 'bot-0',
    },
    {
      id: 'http.express.crypto-verify',
      group: 'Express 5',
      label: 'floor: a middleware that only crypto.verify()s the assertion (fresh ES256)',
      server: 'express+crypto-verify',
      baseline: 'http.express',
      headers: assertion,
      expectedUser: () => 'verified',
    },
    {
      id: 'http.express.crypto-verify.identity',
      group: 'Express 5',
      label: 'floor: crypto.verify(), then sets req.pomerium and req.user (fresh ES256)',
      server: 'express+crypto-verify+identity',
      baseline: 'http.express',
      headers: assertion,
      expectedUser: () => 'verified',
    },
    {
      id: 'http.express.worker-pool-only',
      group: 'Express 5',
      label:
        "floor off the thread: core's worker pool checks the assertion's signature, nothing else (fresh ES256)",
      server: 'express+worker-pool-only',
      baseline: 'http.express',
      headers: assertion,
      expectedUser: () => 'verified',
    },
    {
      id: 'http.express.pomerium.es256.main-thread',
      group: 'Express 5',
      label: 'pomeriumAuth, fresh ES256, assertionVerification main-thread',
      server: 'express+pomeriumAuth(main-thread)',
      baseline: 'http.express',
      headers: assertion,
      expectedUser: userAt,
    },
    {
      id: 'http.express.pomerium.es256.policy-variants',
      group: 'Express 5',
      label:
        'pomeriumAuth, fresh ES256, main-thread; per request: nothing more, or a three-rule policy',
      server: 'express+pomeriumAuth(main-thread, policy variants)',
      baseline: 'http.express',
      headers: (i) => ({ ...assertion(i), 'x-bench-variant': variantAt(i, POLICY_VARIANTS) }),
      expectedUser: userAt,
    },
    {
      id: 'http.express.pomerium.es256.audit-variants',
      group: 'Express 5',
      label: 'pomeriumAuth, fresh ES256, main-thread; per request: no audit, or audit to pino',
      server: 'express+pomeriumAuth(main-thread, audit variants)',
      baseline: 'http.express',
      headers: (i) => ({ ...assertion(i), 'x-bench-variant': variantAt(i, AUDIT_VARIANTS) }),
      expectedUser: userAt,
    },
    {
      id: 'http.express.pomerium.es256',
      group: 'Express 5',
      label: 'pomeriumAuth, fresh ES256, assertionVerification auto (default)',
      server: 'express+pomeriumAuth',
      baseline: 'http.express',
      headers: assertion,
      expectedUser: userAt,
    },
    {
      id: 'http.express.oauth2-jwt-bearer',
      group: 'Express 5',
      label: 'express-oauth2-jwt-bearer, fresh ES256 (Bearer)',
      server: 'express+express-oauth2-jwt-bearer',
      baseline: 'http.express',
      headers: (i) => ({ authorization: `Bearer ${at(i)}` }),
      expectedUser: userAt,
    },
    {
      id: 'http.express.pomerium.es256.worker-threads',
      group: 'Express 5',
      label: 'pomeriumAuth, fresh ES256, assertionVerification worker-threads',
      server: 'express+pomeriumAuth(worker-threads)',
      baseline: 'http.express',
      headers: assertion,
      expectedUser: userAt,
    },
    {
      id: 'http.express.pomerium.impersonation',
      group: 'Express 5',
      label: 'pomeriumAuth, fresh ES256 + impersonate-user',
      server: 'express+pomeriumAuth',
      baseline: 'http.express',
      headers: (i) => ({ ...assertion(i), 'impersonate-user': `target_${i % 1000}` }),
      expectedUser: (i) => `target_${i % 1000}`,
    },
    {
      id: 'http.express.express-jwt',
      group: 'Express 5',
      label: 'express-jwt, fresh ES256 assertion',
      server: 'express+express-jwt',
      baseline: 'http.express',
      headers: assertion,
      expectedUser: userAt,
    },
    {
      id: 'http.express.passport-jwt',
      group: 'Express 5',
      label: 'passport-jwt, fresh ES256 assertion',
      server: 'express+passport-jwt',
      baseline: 'http.express',
      headers: assertion,
      expectedUser: userAt,
    },
    {
      id: 'http.koa',
      group: 'Koa 3',
      label: 'bare Koa 3',
      server: 'koa',
      headers: none,
      expectedUser: () => 'anonymous',
    },
    {
      id: 'http.koa.pomerium.es256',
      group: 'Koa 3',
      label: 'pomeriumAuth, fresh ES256 assertion',
      server: 'koa+pomeriumAuth',
      baseline: 'http.koa',
      headers: assertion,
      expectedUser: userAt,
    },
    {
      id: 'http.koa.koa-jwt',
      group: 'Koa 3',
      label: 'koa-jwt, fresh ES256 assertion',
      server: 'koa+koa-jwt',
      baseline: 'http.koa',
      headers: assertion,
      expectedUser: userAt,
    },
    {
      id: 'http.fastify',
      group: 'Fastify 5',
      label: 'bare Fastify 5',
      server: 'fastify',
      headers: none,
      expectedUser: () => 'anonymous',
    },
    {
      id: 'http.fastify.pomerium.sa',
      group: 'Fastify 5',
      label: 'pomeriumAuth, repeated service-account token',
      server: 'fastify+pomeriumAuth',
      baseline: 'http.fastify',
      headers: serviceAccount,
      expectedUser: () => 'bot-0',
    },
    {
      id: 'http.fastify.identity-only',
      group: 'Fastify 5',
      label: 'floor: a hook that only sets request.pomerium and request.user (same requests)',
      server: 'fastify+identity-only',
      baseline: 'http.fastify',
      headers: serviceAccount,
      expectedUser: () => 'bot-0',
    },
    {
      id: 'http.fastify.pomerium.es256',
      group: 'Fastify 5',
      label: 'pomeriumAuth, fresh ES256 assertion',
      server: 'fastify+pomeriumAuth',
      baseline: 'http.fastify',
      headers: assertion,
      expectedUser: userAt,
    },
    {
      id: 'http.fastify.fastify-jwt',
      group: 'Fastify 5',
      label: '@fastify/jwt, fresh ES256 assertion',
      server: 'fastify+@fastify/jwt',
      baseline: 'http.fastify',
      headers: assertion,
      expectedUser: userAt,
    },
    {
      id: 'http.hono',
      group: 'Hono 4 (@hono/node-server)',
      label: 'bare Hono 4',
      server: 'hono',
      headers: none,
      expectedUser: () => 'anonymous',
    },
    {
      id: 'http.hono.pomerium.sa',
      group: 'Hono 4 (@hono/node-server)',
      label: 'pomeriumAuth, repeated service-account token',
      server: 'hono+pomeriumAuth',
      baseline: 'http.hono',
      headers: serviceAccount,
      expectedUser: () => 'bot-0',
    },
    {
      id: 'http.hono.identity-only',
      group: 'Hono 4 (@hono/node-server)',
      label:
        "floor: a middleware that only sets c.get('pomerium') and c.get('user') (same requests)",
      server: 'hono+identity-only',
      baseline: 'http.hono',
      headers: serviceAccount,
      expectedUser: () => 'bot-0',
    },
    {
      id: 'http.hono.pomerium.es256',
      group: 'Hono 4 (@hono/node-server)',
      label: 'pomeriumAuth, fresh ES256 assertion',
      server: 'hono+pomeriumAuth',
      baseline: 'http.hono',
      headers: assertion,
      expectedUser: userAt,
    },
    {
      id: 'http.hono.jwk',
      group: 'Hono 4 (@hono/node-server)',
      label: 'hono/jwk, fresh ES256 (Bearer)',
      server: 'hono+jwk',
      baseline: 'http.hono',
      headers: (i) => ({ authorization: `Bearer ${at(i)}` }),
      expectedUser: userAt,
    },
    {
      id: 'http.nest',
      group: 'NestJS 12 (express)',
      label: 'bare Nest',
      server: 'nest',
      headers: none,
      expectedUser: () => 'anonymous',
    },
    {
      id: 'http.nest.guarded.es256',
      group: 'NestJS 12 (express)',
      label: 'PomeriumAuthGuard, fresh ES256 assertion',
      server: 'nest+PomeriumAuthGuard',
      baseline: 'http.nest',
      headers: assertion,
      expectedUser: userAt,
    },
  ];
}
