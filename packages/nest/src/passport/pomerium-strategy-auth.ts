import passport from 'passport';
import type { PomeriumAuth } from '@pomerium-auth/core';

/**
 * The core authenticator of the `PomeriumStrategy` registered under `name` on Passport's
 * default instance, the one `@nestjs/passport`'s `AuthGuard` authenticates with.
 * `_strategy(name)` is how Passport itself looks strategies up; its typings leave it out.
 */
export function pomeriumStrategyAuth(name: string): PomeriumAuth {
  const registry = passport as unknown as { _strategy?(name: string): unknown };
  const strategy = registry._strategy?.(name) as { auth?: Partial<PomeriumAuth> } | undefined;
  const auth = strategy?.auth;
  if (typeof auth?.authenticate !== 'function' || typeof auth.requireIdentity !== 'function')
    throw new Error(
      `@pomerium-auth/nest/passport: no PomeriumStrategy is registered as '${name}' ` +
        `(provide a class extending PassportStrategy(PomeriumStrategy, '${name}'))`,
    );
  return auth as PomeriumAuth;
}
