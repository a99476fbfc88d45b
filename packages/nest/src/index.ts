/**
 * `@pomerium-auth/nest`: NestJS module, guard and decorators for Pomerium identity assertions
 * and service-account tokens, with audited impersonation. NestJS 10 and 11, on
 * `@nestjs/platform-express` and `@nestjs/platform-fastify`.
 *
 * @packageDocumentation
 */
export { PomeriumAuthModule, type PomeriumAuthModuleAsyncOptions } from './pomerium-auth.module.js';
export { PomeriumAuthGuard } from './pomerium-auth.guard.js';
export { PomeriumAuthException } from './pomerium-auth.exception.js';
export { PomeriumAuthExceptionFilter } from './pomerium-auth-exception.filter.js';
export {
  Public,
  ForbidImpersonation,
  AllowImpersonation,
  RequireAuthentication,
  PUBLIC_ROUTE_KEY,
  ROUTE_RULE_KEY,
  REQUIRE_AUTHENTICATION_KEY,
} from './route-decorators.js';
export { EffectiveUser, InitiatingUser, PomeriumIdentity } from './identity-decorators.js';
export { POMERIUM_AUTH, POMERIUM_AUTH_OPTIONS } from './tokens.js';
export type { NestHttpRequest } from './http-request.js';
export type { NestHttpResponse } from './error-response.js';
export type {
  Identity,
  Principal,
  PomeriumAuth,
  PomeriumAuthOptions,
  Grant,
  RouteRule,
} from '@pomerium-auth/core';
export { PomeriumAuthError } from '@pomerium-auth/core';
