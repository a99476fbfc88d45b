/**
 * Injection token of the core authenticator (`PomeriumAuth` from `@pomerium-auth/core`) that
 * `PomeriumAuthModule` provides. A string, so that it matches across copies of this package.
 *
 * @example
 * ```ts
 * @Injectable()
 * class WhoCanService {
 *   constructor(@Inject(POMERIUM_AUTH) private readonly auth: PomeriumAuth) {}
 *   mayActAs(initiator: string, target: string) {
 *     return this.auth.explain({ initiator, target });
 *   }
 * }
 * ```
 */
export const POMERIUM_AUTH = 'POMERIUM_AUTH';

/**
 * Injection token of the options object given to `PomeriumAuthModule.forRoot` (or returned by
 * the `forRootAsync` factory).
 *
 * @example
 * ```ts
 * constructor(@Inject(POMERIUM_AUTH_OPTIONS) options: PomeriumAuthOptions) {}
 * ```
 */
export const POMERIUM_AUTH_OPTIONS = 'POMERIUM_AUTH_OPTIONS';
