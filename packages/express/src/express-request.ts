import type { Identity, Principal } from '@pomerium-auth/core';
import type { Request } from 'express';

declare global {
  // Express's own augmentation point (as @types/passport uses it). Only `pomerium` is added:
  // `req.user` stays whatever the app (or Passport) says it is.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The identity `pomeriumAuth()` established; undefined for anonymous requests (`required: false`). */
      pomerium?: Identity;
    }
  }
}

/**
 * An Express request after `pomeriumAuth()`: `pomerium` is the identity, and the effective
 * principal sits under `UserProperty` (`'user'` unless the `userProperty` option says otherwise).
 * Use it where you want `req.user` typed without declaring it for the whole app.
 *
 * @example
 * ```ts
 * import type { PomeriumRequest } from '@pomerium-auth/express';
 *
 * app.get('/me', (req, res) => {
 *   const { user } = req as PomeriumRequest;
 *   res.json({ id: user?.id, groups: user?.groups });
 * });
 * ```
 */
export type PomeriumRequest<UserProperty extends string = 'user'> = Request & {
  pomerium?: Identity;
} & { [K in UserProperty]?: Principal };
