import {
  createRouteGate,
  isPomeriumAuthError,
  type PomeriumAuth,
  type RouteGate,
} from '@pomerium-auth/core';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

/** The route-rule bookkeeping of this package's requests (core's one implementation), keyed by the request. */
export const gate: RouteGate<FastifyRequest> = createRouteGate<FastifyRequest>();

/**
 * The one translation of an error out: a `PomeriumAuthError` is answered with its status, headers
 * and JSON body (or handed to Fastify's error handler with `onError: 'next'`); anything else goes
 * to Fastify's error handler untouched.
 */
export function answerError(
  err: unknown,
  auth: PomeriumAuth | undefined,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  if (!isPomeriumAuthError(err) || auth?.settings.onError === 'next') {
    done(err instanceof Error ? err : new Error(String(err)));
    return;
  }
  void reply.code(err.status).headers(err.headers).send(err.toJSON());
}
