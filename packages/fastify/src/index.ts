/**
 * `@pomerium-auth/fastify`: a Fastify 4 and 5 plugin for Pomerium credentials, with audited
 * impersonation. Every decision is made by `@pomerium-auth/core`; this package translates a
 * Fastify request in and the identity or error out.
 *
 * @packageDocumentation
 */
import './fastify-types.js';

export { pomeriumAuth } from './pomerium-auth.js';
export {
  forbidImpersonation,
  allowImpersonation,
  requireAuthentication,
  requirePolicy,
} from './route-helpers.js';
export type { PomeriumRouteConfig } from './route-config.js';
export type { PomeriumRequest } from './fastify-types.js';
export {
  PomeriumAuthError,
  isPomeriumAuthError,
  compilePolicy,
  type PolicyDocument,
  type CompiledPolicy,
  type PomeriumAuthOptions,
  type Identity,
  type Principal,
  type Grant,
  type DirectoryUser,
  type ServiceAccountRecord,
  type AuditEvent,
} from '@pomerium-auth/core';
