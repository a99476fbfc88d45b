import type { PomeriumAuthError } from '@pomerium-auth/core';

const failures = new WeakMap<object, PomeriumAuthError>();

/** Remembers why the strategy refused a request (internal). */
export function recordFailure(req: object, err: PomeriumAuthError): void {
  failures.set(req, err);
}

/**
 * The `PomeriumAuthError` for which `PomeriumStrategy` refused this request, if it did.
 * Passport itself only passes on a challenge and a status; this gives an error handler (or a
 * `@nestjs/passport` guard's `handleRequest`) the whole answer: `status`, `headers`,
 * `toJSON()` for the JSON body, and the internal `reason` for logs.
 *
 * @param req - the request the strategy refused.
 *
 * @example
 * ```ts
 * app.get('/me', passport.authenticate('pomerium', { session: false, failWithError: true }), handler);
 * app.use((err, req, res, next) => {
 *   const authError = pomeriumAuthErrorOf(req) ?? (err instanceof PomeriumAuthError ? err : undefined);
 *   if (!authError) return next(err);
 *   res.status(authError.status).set(authError.headers).json(authError.toJSON());
 * });
 * ```
 */
export function pomeriumAuthErrorOf(req: object): PomeriumAuthError | undefined {
  return failures.get(req);
}
