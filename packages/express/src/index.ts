/**
 * `@pomerium-auth/express`: Express 4 and 5 middleware for Pomerium credentials, with audited
 * impersonation. Every decision is made by `@pomerium-auth/core`; this package translates an
 * Express request in and the identity or error out.
 *
 * @packageDocumentation
 */
export { pomeriumAuth } from './pomerium-auth.js';
export {
  forbidImpersonation,
  allowImpersonation,
  requireAuthentication,
  requirePolicy,
} from './route-helpers.js';
export type { PomeriumRequest } from './express-request.js';
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
