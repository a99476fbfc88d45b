import { isPomeriumAuthError, type PomeriumAuth, type RouteRule } from '@pomerium-auth/core';
import type { NextFunction, Request, Response } from 'express';

const AUTH = Symbol('pomerium-auth.auth');
const RULES = Symbol('pomerium-auth.route-rules');

/** What this package keeps on a request, under symbols nobody else can collide with. */
interface RequestState {
  /** The authenticator that already decided this request (app-wide or earlier middleware). */
  [AUTH]?: PomeriumAuth;
  /** Route rules waiting for the route's own `pomeriumAuth()`. */
  [RULES]?: RouteRule[];
}

export const state = (req: Request): RequestState => req as Request & RequestState;
export { AUTH, RULES };


/**
 * The one translation of an error out: a `PomeriumAuthError` is answered as JSON with its status
 * and headers (or handed to `next` with `onError: 'next'`); anything else goes to `next` untouched.
 */
export function answerError(err: unknown, auth: PomeriumAuth | undefined, res: Response, next: NextFunction): void {
  if (!isPomeriumAuthError(err) || auth?.options.onError === 'next') return next(err);
  res.status(err.status).set(err.headers).json(err.toJSON());
}
