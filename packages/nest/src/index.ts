/**
 * `@pomerium-auth/nest`: NestJS module, guard and decorators for Pomerium identity assertions
 * and service-account tokens, with audited impersonation. NestJS 10, 11 and 12, on
 * `@nestjs/platform-express` and `@nestjs/platform-fastify`; HTTP, GraphQL and WebSocket
 * contexts. Passport users: `@pomerium-auth/nest/passport`.
 *
 * @packageDocumentation
 */
export {
  PomeriumAuthModule,
  type PomeriumAuthModuleAsyncOptions,
  type PomeriumAuthOptionsFactory,
} from './pomerium-auth.module.js';
export { PomeriumAuthGuard } from './pomerium-auth.guard.js';
export { PomeriumAuthException } from './pomerium-auth.exception.js';
export { PomeriumAuthExceptionFilter } from './pomerium-auth-exception.filter.js';
export {
  Public,
  OptionalAuth,
  ForbidImpersonation,
  AllowImpersonation,
  RequireAuthentication,
  RequirePolicy,
} from './route-decorators.js';
export {
  PUBLIC_ROUTE_KEY,
  ROUTE_RULE_KEY,
  REQUIRE_AUTHENTICATION_KEY,
  OPTIONAL_AUTH_KEY,
  POLICY_KEY,
} from './route-metadata.js';
export {
  EffectiveUser,
  InitiatingUser,
  PomeriumIdentity,
  type PropertyParamDecorator,
} from './identity-decorators.js';
export { setUpgradeRequest } from './websocket-handshake.js';
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
