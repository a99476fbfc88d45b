/** The four decisions that are audited (SPEC 6). */
export type AuditEventName =
  'authenticated' | 'authentication_failed' | 'impersonation_granted' | 'impersonation_denied';

/** A user as audit events name them (Search Guard's field names). */
export interface AuditUser {
  id: string;
  email?: string;
}

/**
 * One audited decision. Field names follow Search Guard's audit log
 * (`initiating_user`, `effective_user`).
 */
export interface AuditEvent {
  /** ISO 8601 time of the decision. */
  time: string;
  event: AuditEventName;
  initiating_user?: AuditUser;
  effective_user?: AuditUser;
  credential_source?: string;
  request: { method: string; path: string; ip?: string; request_id?: string };
  /** The target asked for, when impersonation was asked for. */
  impersonation_target?: string;
  impersonation_via?: string;
  impersonation_reason?: string;
  /** The grant that allowed the impersonation. */
  grant?: string;
  /** For failures: the client-facing code and the internal reason. */
  error?: { code: string; reason: string; detail?: string };
}

/** A pino-style logger: success events go to `info`, failures to `warn`. */
export interface AuditLogger {
  info(obj: object, msg?: string): unknown;
  warn(obj: object, msg?: string): unknown;
}

/** Where audit events go: a function, or a pino-style logger. */
export type AuditSink = ((event: AuditEvent) => unknown) | AuditLogger;

/** The `node:diagnostics_channel` channel every audit event is published on. */
export const AUDIT_CHANNEL = 'pomerium-auth:audit';
