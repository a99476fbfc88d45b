/**
 * `@pomerium-auth/passport`: the Passport strategy `pomerium`, for `passport.authenticate` and
 * `@nestjs/passport`'s `AuthGuard('pomerium')`.
 *
 * @packageDocumentation
 */
export {
  PomeriumStrategy,
  type PomeriumStrategyOptions,
  type PomeriumAuthenticateOptions,
  type VerifyDone,
  type VerifyFunction,
  type VerifyFunctionWithRequest,
} from './pomerium-strategy.js';
export { pomeriumAuthErrorOf } from './pomerium-auth-error-of.js';
export type { PassportRequest } from './passport-request.js';
export { PomeriumAuthError } from '@pomerium-auth/core';
export type {
  Identity,
  Principal,
  PomeriumAuthOptions,
  RouteRule,
  Grant,
} from '@pomerium-auth/core';
