/**
 * `@pomerium-auth/hono`: Hono 4 middleware for Pomerium credentials, with audited
 * impersonation, on Node through `@hono/node-server`. Every decision is made by
 * `@pomerium-auth/core`; this package translates a Hono context in and the identity or error out.
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
export { pomeriumAuthErrorOf } from './error-answer.js';
export type { PomeriumEnv, PomeriumVariables } from './hono-env.js';
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
