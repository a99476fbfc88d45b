import type { AuditEvent } from '@pomerium-auth/core';

/** What a step sends. */
export interface DemoRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
}

/** The response and the audit events of one request. */
export interface Observed {
  status: number;
  body: unknown;
  audit: AuditEvent[];
}

/** An audit event a step expects; only the fields given are compared. */
export interface ExpectedEvent {
  event: AuditEvent['event'];
  initiating?: string;
  effective?: string;
  /** `error.reason` of a refusal. */
  reason?: string;
}

/** One step of the walkthrough: what is done, what should happen, and how to tell. */
export interface DemoStep {
  title: string;
  /** Short name for the summary table. */
  name: string;
  request: DemoRequest;
  expectStatus: number;
  /** What the person should see, in words. */
  expectation: string;
  /** The audit events the request must leave, in order (one per decision). */
  expectAudit: ExpectedEvent | readonly ExpectedEvent[];
  /** Extra check of the body: a message when it is wrong. */
  checkBody?: (body: unknown) => string | undefined;
}

/** Why a step did not behave as shown, or undefined when it did. */
export function judge(step: DemoStep, seen: Observed): string | undefined {
  if (seen.status !== step.expectStatus)
    return `expected status ${step.expectStatus}, got ${seen.status}`;
  const bodyProblem = step.checkBody?.(seen.body);
  if (bodyProblem) return bodyProblem;
  const wanted: readonly ExpectedEvent[] = Array.isArray(step.expectAudit)
    ? step.expectAudit
    : [step.expectAudit as ExpectedEvent];
  if (seen.audit.length !== wanted.length) {
    const names = wanted.map((w) => w.event).join(', ');
    return `expected exactly ${wanted.length === 1 ? 'one audit event' : `${wanted.length} audit events`} (${names}), got ${seen.audit.length}`;
  }
  for (const [i, want] of wanted.entries()) {
    const got = seen.audit[i]!;
    if (got.event !== want.event) return `expected audit event ${want.event}, got ${got.event}`;
    if (want.initiating !== undefined && got.initiating_user?.id !== want.initiating)
      return `expected initiating user ${want.initiating}, got ${got.initiating_user?.id ?? 'none'}`;
    if (want.effective !== undefined && got.effective_user?.id !== want.effective)
      return `expected effective user ${want.effective}, got ${got.effective_user?.id ?? 'none'}`;
    if (want.reason !== undefined && got.error?.reason !== want.reason)
      return `expected audit reason ${want.reason}, got ${got.error?.reason ?? 'none'}`;
  }
  return undefined;
}
