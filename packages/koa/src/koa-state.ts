import {
  createRouteGate,
  isPomeriumAuthError,
  toAuthRequest,
  type AuthRequest,
  type Identity,
  type PomeriumAuth,
  type Principal,
  type RouteGate,
} from '@pomerium-auth/core';
import type { Context } from 'koa';

/**
 * What `pomeriumAuth()` puts in `ctx.state`. Give it to Koa and @koa/router so handlers see typed
 * identities: `new Koa<PomeriumState>()`, `new Router<PomeriumState>()`.
 *
 * @example
 * ```ts
 * const router = new Router<PomeriumState>();
 * router.get('/me', (ctx) => { ctx.body = { id: ctx.state.user?.id, initiator: ctx.state.pomerium?.initiator.id }; });
 * ```
 */
export interface PomeriumState {
  /** The identity; undefined for anonymous requests (`required: false`). */
  pomerium?: Identity;
  /** The effective principal (option `userProperty`, default `'user'`). */
  user?: Principal;
}

/** The route-rule bookkeeping of this package's requests (core's one implementation), keyed by `ctx`. */
export const gate: RouteGate<Context> = createRouteGate<Context>();

/** A Koa context read as the Node request it wraps, through core's one translation. */
export function authRequestOf(ctx: Context): AuthRequest {
  return toAuthRequest({
    method: ctx.method,
    originalUrl: ctx.originalUrl,
    headers: ctx.req.headers,
    rawHeaders: ctx.req.rawHeaders,
    ip: ctx.request.ip || undefined,
    socket: ctx.req.socket,
  });
}

/**
 * The one translation of an error out: a `PomeriumAuthError` becomes the response (status,
 * headers, JSON body), or is thrown on with `onError: 'next'`; anything else is thrown on untouched.
 */
export function answerError(ctx: Context, err: unknown, auth: PomeriumAuth | undefined): void {
  if (!isPomeriumAuthError(err) || auth?.settings.onError === 'next') throw err;
  ctx.status = err.status;
  ctx.set({ ...err.headers });
  ctx.body = err.toJSON();
}
