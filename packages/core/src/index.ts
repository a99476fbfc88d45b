/**
 * `@pomerium-auth/core`: framework-free verification of Pomerium credentials, audited
 * impersonation, and the one error family every adapter answers with.
 *
 * @packageDocumentation
 */
export { createPomeriumAuth, type PomeriumAuth } from './create-pomerium-auth.js';
export {
  explainImpersonation,
  type ExplainQuestion,
  type ExplainAnswer,
} from './impersonation/explain-impersonation.js';
export type {
  PomeriumAuthOptions,
  ImpersonationOptions,
  Grant,
  Lookup,
  ServiceAccountRecord,
  DirectoryUser,
  NamespaceRecord,
  JwksOptions,
  WarningLogger,
} from './options.js';
export type {
  Principal,
  PrincipalKind,
  Identity,
  CredentialSource,
  ImpersonationVia,
} from './identity.js';
export {
  headerValue,
  toAuthRequest,
  type AuthRequest,
  type NodeRequestLike,
  type RouteRule,
  type HeaderValue,
} from './request.js';
export {
  PomeriumAuthError,
  InvalidRequestError,
  CredentialsRequiredError,
  InvalidTokenError,
  ImpersonationDeniedError,
  TemporarilyUnavailableError,
  PomeriumAuthConfigError,
  isPomeriumAuthError,
  IMPERSONATION_DENIED_DESCRIPTION,
  REALM,
  RETRY_AFTER_SECONDS,
  type PomeriumAuthErrorCode,
  type PomeriumAuthReason,
  type PomeriumAuthErrorBody,
} from './errors.js';
export {
  extractCredentials,
  ASSERTION_HEADER,
  POMERIUM_AUTHORIZATION_HEADER,
  type ExtractedCredentials,
} from './credentials/extract-credentials.js';
export { decodeCompactJws, type DecodedJws, type JoseHeader } from './jwt/compact-jws.js';
export {
  verifyJwsSignature,
  verifyJwsSignatureOnThreadPool,
  type JwsAlgorithm,
} from './jwt/verify-signature.js';
export { normalizeIssuer } from './jwt/claims.js';
export { sharedSecretBytes, type SharedSecretEncoding } from './keys/shared-secret.js';
export { deriveSigningKey, type DerivedSigningKey } from './keys/derive-signing-key.js';
export { jwkThumbprintHex } from './keys/jwk-thumbprint.js';
export {
  importVerificationKey,
  KeyImportError,
  type VerificationKey,
  type AssertionAlgorithm,
} from './keys/verification-key.js';
export { RemoteKeySet, type RemoteKeySetState } from './keys/remote-key-set.js';
export { VerifiedTokenCache } from './verify/verified-token-cache.js';
export { defineRouteRule } from './impersonation/decide-impersonation.js';
export { DEFAULT_IMPERSONATION_HEADERS } from './impersonation/impersonation-rules.js';
export {
  AUDIT_CHANNEL,
  type AuditEvent,
  type AuditEventName,
  type AuditUser,
  type AuditSink,
  type AuditLogger,
} from './audit/events.js';
export { ENVIRONMENT_VARIABLES, optionsFromEnvironment } from './config/environment.js';
export { createRecordsSource, type RecordsSourceOptions } from './records/create-records-source.js';
export type { RecordsFormat } from './records/decode-records.js';
export type { RawRecord, RecordsSource } from './records/records-source.js';
export {
  isRecordsSource,
  serviceAccountLookup,
  directoryLookup,
  namespaceLookup,
} from './records/record-lookups.js';
export { RECORD_TYPES } from './records/record-types.js';
