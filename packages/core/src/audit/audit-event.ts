import { randomUUID } from 'node:crypto';
import type { PomeriumAuthError } from '../errors.js';
import type { CredentialSource, Principal } from '../identity.js';
import { deepFreeze } from '../lib/deep-freeze.js';
import { pathWithoutQuery } from '../policy/request-path.js';
import type { AuthRequest } from '../request.js';
import { headerValue } from '../request.js';
import type { AuditEvent, AuditEventName, AuditUser } from './events.js';

/** What an event says beyond its name and request: every field is given at once, then frozen. */
export interface EventFacts {
  /** The request's id (`identity.requestId`, or {@link requestIdOf}). */
  requestId: string;
  /** The authenticated principal (the initiator). */
  initiator?: Principal | undefined;
  /** The effective principal, when the event is about one. */
  user?: Principal | undefined;
  source?: CredentialSource | undefined;
  onBehalfOf?: Principal | undefined;
  impersonation?:
    | {
        target?: string | undefined;
        via: string;
        reason?: string | undefined;
        grant?: string | undefined;
      }
    | undefined;
  policy?: { name: string; reasons: readonly string[] } | undefined;
  error?: PomeriumAuthError | undefined;
}

/** A request id from `x-request-id` is taken only when it is short printable ASCII (spaces included): it ends up in logs. */
const SANE_REQUEST_ID = /^[\x20-\x7e]{1,200}$/;

/**
 * Ids made up for requests that brought none, by the request's `headers` object: the one object
 * every {@link AuthRequest} an adapter builds around the same request shares (the middleware and
 * each route helper after it build their own), so they all find the same id.
 */
const madeUpIds = new WeakMap<object, string>();

/**
 * The id every audit event of a request carries: the adapter's `requestId`, else a sane
 * `x-request-id`, else a new UUID, made up once per request: every later call for the same
 * request (a route helper's policy on an anonymous request, say) answers the same one.
 */
export function requestIdOf(request: AuthRequest): string {
  const known = givenRequestId(request) ?? madeUpIds.get(request.headers);
  if (known !== undefined) return known;
  const id = randomUUID();
  madeUpIds.set(request.headers, id);
  return id;
}

/**
 * The id of a request about to be decided, for the decision's hot path: as {@link requestIdOf},
 * but an id it makes up is not remembered (an authenticated request's identity carries it on);
 * {@link rememberRequestId} keeps it when the request goes on without an identity.
 */
export function decisionRequestId(request: AuthRequest): string {
  return givenRequestId(request) ?? madeUpIds.get(request.headers) ?? randomUUID();
}

/**
 * Keeps the id a decision made up for a request that goes on without an identity (anonymous, or
 * refused where the app handles the refusal itself), so the events of its later decisions share
 * it. A brought id needs no keeping.
 */
export function rememberRequestId(request: AuthRequest, id: string): void {
  if (givenRequestId(request) === undefined) madeUpIds.set(request.headers, id);
}

function givenRequestId(request: AuthRequest): string | undefined {
  if (request.requestId) return request.requestId;
  const header = headerValue(request.headers, 'x-request-id');
  return header !== undefined && SANE_REQUEST_ID.test(header) ? header : undefined;
}

function auditUser(p: Principal | undefined): AuditUser | undefined {
  if (!p) return undefined;
  return p.email === undefined ? { id: p.id } : { id: p.id, email: p.email };
}

/**
 * Builds one audit event, whole, and freezes it: events are never changed once built.
 *
 * @example
 * ```ts
 * trail.emit(auditEvent('authenticated', request, { requestId, initiator: p, user: p, source: 'assertion' }));
 * ```
 */
export function auditEvent(
  name: AuditEventName,
  request: AuthRequest,
  facts: EventFacts,
): AuditEvent {
  // Read once: from a framework's request, the address is worked out on each read (Express runs proxy-addr).
  const ip = request.ip;
  const e: { -readonly [K in keyof AuditEvent]: AuditEvent[K] } = {
    id: randomUUID(),
    time: new Date().toISOString(),
    event: name,
    request:
      ip === undefined
        ? {
            method: request.method,
            path: pathWithoutQuery(request.url),
            request_id: facts.requestId,
          }
        : {
            method: request.method,
            path: pathWithoutQuery(request.url),
            ip,
            request_id: facts.requestId,
          },
  };
  const { initiator, user, impersonation, policy, error } = facts;
  if (initiator) e.initiating_user = auditUser(initiator);
  if (user) e.effective_user = auditUser(user);
  if (facts.source !== undefined) e.credential_source = facts.source;
  if (initiator?.serviceAccountId !== undefined) e.service_account_id = initiator.serviceAccountId;
  if (initiator?.namespace !== undefined) e.namespace = initiator.namespace;
  if (facts.onBehalfOf) e.on_behalf_of = auditUser(facts.onBehalfOf);
  if (impersonation) {
    if (impersonation.target !== undefined) e.impersonation_target = impersonation.target;
    e.impersonation_via = impersonation.via;
    if (impersonation.reason !== undefined) e.impersonation_reason = impersonation.reason;
    if (impersonation.grant !== undefined) e.grant = impersonation.grant;
  }
  if (policy) {
    e.policy = policy.name;
    e.reasons = [...policy.reasons];
  }
  if (error) {
    e.error =
      error.detail === undefined
        ? { code: error.error, reason: error.reason }
        : { code: error.error, reason: error.reason, detail: error.detail };
  }
  return deepFreeze(e);
}
