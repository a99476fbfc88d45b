import {
  createRouteGate,
  isPomeriumAuthError,
  type PomeriumAuth,
  type RouteGate,
} from '@pomerium-auth/core';
import type { NextFunction, Request, Response } from 'express';

/**
 * The route-rule bookkeeping of this package's requests (core's one implementation): keyed by
 * `req` in a `WeakMap`, never in properties of `req` (see bench/README.md: every property added
 * to an Express request builds a new hidden class).
 */
export const gate: RouteGate<Request> = createRouteGate<Request>();

/**
 * The one translation of an error out: a `PomeriumAuthError` is answered as JSON with its status
 * and headers (or handed to `next` with `onError: 'next'`); anything else goes to `next` untouched.
 */
export function answerError(
  err: unknown,
  auth: PomeriumAuth | undefined,
  res: Response,
  next: NextFunction,
): void {
  if (!isPomeriumAuthError(err) || auth?.settings.onError === 'next') return next(err);
  res.status(err.status).set(err.headers).json(err.toJSON());
}
