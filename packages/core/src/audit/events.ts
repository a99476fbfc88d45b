/**
 * The decisions that are audited, each its own event: the gate's (`authenticated`,
 * `authentication_failed`, `impersonation_granted`, `impersonation_denied`), and each later
 * decision on the same request (a route rule refusing impersonation, a policy's
 * `access_granted` / `access_denied`, the application refusing an identity).
 */
export type AuditEventName =
  | 'authenticated'
  | 'authentication_failed'
  | 'impersonation_granted'
  | 'impersonation_denied'
  | 'access_granted'
  | 'access_denied';

/** A user as audit events name them (Search Guard's field names). */
export interface AuditUser {
  readonly id: string;
  readonly email?: string;
}

/** The request an event is about. */
export interface AuditRequest {
  readonly method: string;
  /** The path, without the query (an absolute-form target, `http://host/a`, gives its path, `/a`, as `http_path` reads it). */
  readonly path: string;
  readonly ip?: string;
  /** Shared by every event of one request: `x-request-id`, or generated (`identity.requestId`). */
  readonly request_id: string;
}

/**
 * One audited decision. Field names follow Search Guard's audit log (`initiating_user`,
 * `effective_user`). Frozen when emitted: no event is changed afterwards.
 */
export interface AuditEvent {
  /** Unique per event. */
  readonly id: string;
  /** ISO 8601 time of the decision. */
  readonly time: string;
  readonly event: AuditEventName;
  readonly initiating_user?: AuditUser;
  readonly effective_user?: AuditUser;
  /** `identity.credential.source`. */
  readonly credential_source?: string;
  /** The service account's id, for service-account credentials. */
  readonly service_account_id?: string;
  /** The service account's namespace, when its record names one. */
  readonly namespace?: string;
  /** The original user of a verified `x-pomerium-jwt-assertion-for` (option `assertionFor`). */
  readonly on_behalf_of?: AuditUser;
  readonly request: AuditRequest;
  /** The target asked for, when impersonation was asked for. */
  readonly impersonation_target?: string;
  readonly impersonation_via?: string;
  readonly impersonation_reason?: string;
  /** The grant that allowed the impersonation. */
  readonly grant?: string;
  /** For policy decisions: the policy's name (`policy` option, or the route's). */
  readonly policy?: string;
  /** For policy decisions: Pomerium-style reasons (`groups-ok`, `user-unauthorized`, ...). */
  readonly reasons?: readonly string[];
  /** For refusals: the client-facing code, the internal reason and detail. */
  readonly error?: { readonly code: string; readonly reason: string; readonly detail?: string };
}

/** A pino-style logger: grants go to `info`, refusals to `warn`. */
export interface AuditLogger {
  info(obj: object, msg?: string): unknown;
  warn(obj: object, msg?: string): unknown;
}

/** Where audit events go: a function, or a pino-style logger. */
export type AuditSink = ((event: AuditEvent) => unknown) | AuditLogger;

/** The `node:diagnostics_channel` channel every audit event is published on. */
export const AUDIT_CHANNEL = 'pomerium-auth:audit';
