import type { HeaderValue, Identity } from '@pomerium-auth/core';

/**
 * The request object a guard sees: Express's `Request` or Fastify's `FastifyRequest`. Only the
 * fields the adapter reads or writes are named.
 */
export interface NestHttpRequest {
  method: string;
  url: string;
  /** Express: the URL before routers rewrote `url`. */
  originalUrl?: string;
  headers: Record<string, HeaderValue>;
  /** Express (Node's `IncomingMessage#rawHeaders`). */
  rawHeaders?: string[];
  /** Fastify: Node's `IncomingMessage`. */
  raw?: { rawHeaders?: string[] };
  ip?: string;
  /** Fastify's request id. */
  id?: string;
  /** Set by `PomeriumAuthGuard`: the identity, or `undefined` for an anonymous request. */
  pomerium?: Identity;
  [key: string]: unknown;
}
