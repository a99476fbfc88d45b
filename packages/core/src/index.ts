/**
 * `@pomerium-auth/core`: framework-free verification of Pomerium credentials, audited
 * impersonation, and the one error family every adapter answers with.
 *
 * @packageDocumentation
 */
export { createPomeriumAuth, type PomeriumAuth } from './create-pomerium-auth.js';
export type { AdapterSettings } from './config/resolve-options.js';
export {
  explainImpersonation,
  type ExplainQuestion,
  type ExplainAnswer,
  type PolicyExplanation,
} from './explain/explain-decision.js';
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
  VerifiedCredentialInfo,
  RevocationCheck,
} from './options.js';
export type {
  Principal,
  PrincipalKind,
  Identity,
  CredentialSource,
  ImpersonationVia,
} from './identity.js';
export {
  compilePolicy,
  isCompiledPolicy,
  type CompiledPolicy,
  type CompilePolicyOptions,
  type PolicyReads,
} from './policy/compile-policy.js';
export type {
  PolicyDocument,
  PolicyRule,
  PolicyAction,
  PolicyCriterion,
  StringMatcher,
  ListMatcher,
  DateMatcher,
  TimeOfDayMatcher,
  DayOfWeekMatcher,
  ServiceAccountMatcher,
} from './policy/policy-document.js';
export type {
  PolicyInput,
  PolicyDecision,
  PolicyOperatorTrace,
  PolicyCriterionTrace,
  PolicyActionName,
  PolicyOperator,
} from './policy/policy-decision.js';
export type { PolicyReason } from './policy/reasons.js';
export { POLICY_CRITERIA, PROXY_ONLY_CRITERIA } from './policy/criteria.js';
export {
  headerValue,
  toAuthRequest,
  type AuthRequest,
  type NodeRequestLike,
  type HeaderValue,
} from './request.js';
export { defineRouteRule, type RouteRule } from './route/route-rule.js';
export {
  createRouteGate,
  type RouteGate,
  type RouteDecision,
  type RouteHelpers,
  type RouteStep,
} from './route/route-gate.js';
export {
  PomeriumAuthError,
  InvalidRequestError,
  CredentialsRequiredError,
  InvalidTokenError,
  ImpersonationDeniedError,
  InsufficientScopeError,
  TemporarilyUnavailableError,
  PomeriumAuthConfigError,
  isPomeriumAuthError,
  ERROR_STATUS,
  IMPERSONATION_DENIED_DESCRIPTION,
  INSUFFICIENT_SCOPE_DESCRIPTION,
  REALM,
  RETRY_AFTER_SECONDS,
  type AnyPomeriumAuthError,
  type PomeriumAuthErrorCode,
  type PomeriumAuthReason,
  type PomeriumAuthReasons,
  type InvalidRequestReason,
  type CredentialsRequiredReason,
  type InvalidTokenReason,
  type ImpersonationDeniedReason,
  type InsufficientScopeReason,
  type TemporarilyUnavailableReason,
  type PomeriumAuthErrorBody,
} from './errors.js';
export {
  extractCredentials,
  ASSERTION_HEADER,
  ASSERTION_FOR_HEADER,
  POMERIUM_AUTHORIZATION_HEADER,
  type ExtractedCredentials,
} from './credentials/extract-credentials.js';
export { decodeCompactJws, type DecodedJws, type JoseHeader } from './jwt/compact-jws.js';
export { verifyJwsSignature, type JwsAlgorithm } from './jwt/verify-signature.js';
export { normalizeIssuer } from './jwt/claims.js';
export { sharedSecretBytes, type SharedSecretEncoding } from './keys/shared-secret.js';
export { deriveSigningKey, type DerivedSigningKey } from './keys/derive-signing-key.js';
export { jwkThumbprintHex } from './keys/jwk-thumbprint.js';
export type { AssertionAlgorithm } from './keys/verification-key.js';
export { DEFAULT_IMPERSONATION_HEADERS } from './impersonation/impersonation-rules.js';
export {
  AUDIT_CHANNEL,
  type AuditEvent,
  type AuditEventName,
  type AuditRequest,
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
