/**
 * `@pomerium-auth/express/global`: an opt-in declaration, for the whole app, that `req.user` is
 * the effective principal `pomeriumAuth()` puts there. The main entry point leaves `req.user`
 * alone on purpose (an app may use Passport's user, or another `userProperty`); import this
 * once, anywhere in the app's sources, when `req.user` is always the principal.
 *
 * It goes through `Express.User`, the interface `@types/passport` declares `req.user` with, so it
 * agrees with Passport's types; an app whose Passport verify callback returns another user type
 * should not import it. See the package README's Typing section.
 *
 * @example
 * ```ts
 * import type {} from '@pomerium-auth/express/global';
 * import { pomeriumAuth } from '@pomerium-auth/express';
 *
 * app.use(pomeriumAuth(options));
 * app.get('/me', (req, res) => {
 *   res.json({ id: req.user?.id, groups: req.user?.groups }); // req.user: Express.User | undefined
 * });
 * ```
 *
 * @packageDocumentation
 */
import type { Principal } from '@pomerium-auth/core';
// `req.pomerium` as the main entry point declares it, for apps that import only this entry here.
import './express-request.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    /** The effective principal (the impersonated user while impersonating). */
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends Principal {}
    interface Request {
      /**
       * The effective principal `pomeriumAuth()` established; undefined for anonymous requests
       * (`required: false`) and before the middleware ran. Written as `@types/passport` writes it,
       * so both declarations agree.
       */
      user?: User | undefined;
    }
  }
}
