import { isPomeriumAuthError, type PomeriumAuth, type RouteRule } from '@pomerium-auth/core';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

/** The authenticator that decided a request (set by the plugin's hook). */
export const DECIDED_BY = Symbol('pomerium-auth.decided-by');
/** Route rules left by hooks that ran before the plugin's, for it to decide with. */
export const PENDING_RULES = Symbol('pomerium-auth.pending-rules');

/**
 * What this package keeps on a request, under symbols nobody else can collide with. The plugin
 * declares both slots with `decorateRequest`, so every request of its context has them from the
 * start and keeps one shape.
 */
interface RequestSlots {
  [DECIDED_BY]?: PomeriumAuth | null;
  [PENDING_RULES]?: RouteRule[] | null;
}

const slots = (request: FastifyRequest): RequestSlots => request as FastifyRequest & RequestSlots;

/** The authenticator that already decided this request, if one did. */
export function decidedBy(request: FastifyRequest): PomeriumAuth | undefined {
  return slots(request)[DECIDED_BY] ?? undefined;
}

/** Route rules waiting for the plugin's decision. */
export function pendingRules(request: FastifyRequest): RouteRule[] | undefined {
  return slots(request)[PENDING_RULES] ?? undefined;
}

/** Records that `auth` decided this request; rules waiting for it are spent. */
export function markDecided(request: FastifyRequest, auth: PomeriumAuth): void {
  const s = slots(request);
  s[DECIDED_BY] = auth;
  if (s[PENDING_RULES]) s[PENDING_RULES] = null;
}

/** Leaves a route rule for the plugin's decision (a rule hook that ran before it). */
export function addPendingRule(request: FastifyRequest, rule: RouteRule): void {
  (slots(request)[PENDING_RULES] ??= []).push(rule);
}

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
  if (!isPomeriumAuthError(err) || auth?.options.onError === 'next') {
    done(err instanceof Error ? err : new Error(String(err)));
    return;
  }
  void reply.code(err.status).headers(err.headers).send(err.toJSON());
}
