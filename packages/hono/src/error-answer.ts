import { isPomeriumAuthError, PomeriumAuthError, type PomeriumAuth } from '@pomerium-auth/core';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * The one translation of an error out. A `PomeriumAuthError` is answered with its status, headers
 * and JSON body; with `onError: 'next'` it is thrown for `app.onError` instead, as an
 * `HTTPException` whose response is that same answer and whose `cause` is the error (Hono's
 * default handler answers an `HTTPException` with its response; any other error becomes a 500).
 * Anything else is thrown on untouched.
 */
export function answerError(c: Context, err: unknown, auth: PomeriumAuth | undefined): Response {
  if (!isPomeriumAuthError(err)) throw err;
  const status = err.status as ContentfulStatusCode;
  if (auth?.settings.onError !== 'next') return c.json(err.toJSON(), status, { ...err.headers });
  const res = new Response(JSON.stringify(err.toJSON()), {
    status,
    headers: { 'content-type': 'application/json', ...err.headers },
  });
  throw new HTTPException(status, { res, message: err.description, cause: err });
}

/**
 * The `PomeriumAuthError` behind an error that reached `app.onError`: the error itself, or the
 * `cause` of the `HTTPException` that `onError: 'next'` throws; `undefined` for any other error.
 *
 * @param err - the error `app.onError` was given.
 *
 * @example
 * ```ts
 * app.use(pomeriumAuth({ ...options, onError: 'next' }));
 * app.onError((err, c) => {
 *   const authError = pomeriumAuthErrorOf(err);
 *   if (!authError) return c.text('Internal Server Error', 500);
 *   console.warn('refused', authError.reason);
 *   return c.json({ message: authError.description }, authError.status as 401, { ...authError.headers });
 * });
 * ```
 */
export function pomeriumAuthErrorOf(err: unknown): PomeriumAuthError | undefined {
  if (isPomeriumAuthError(err)) return err;
  if (err instanceof HTTPException && err.cause instanceof PomeriumAuthError) return err.cause;
  return undefined;
}
