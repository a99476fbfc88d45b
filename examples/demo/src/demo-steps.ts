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

/** One step of the walkthrough: what is done, what should happen, and how to tell. */
export interface DemoStep {
  title: string;
  /** Short name for the summary table. */
  name: string;
  request: DemoRequest;
  expectStatus: number;
  /** What the person should see, in words. */
  expectation: string;
  /** The one audit event the decision must leave. */
  expectAudit: {
    event: AuditEvent['event'];
    initiating?: string;
    effective?: string;
    reason?: string;
  };
  /** Extra check of the body: a message when it is wrong. */
  checkBody?: (body: unknown) => string | undefined;
}

/** Why a step did not behave as shown, or undefined when it did. */
export function judge(step: DemoStep, seen: Observed): string | undefined {
  if (seen.status !== step.expectStatus)
    return `expected status ${step.expectStatus}, got ${seen.status}`;
  const bodyProblem = step.checkBody?.(seen.body);
  if (bodyProblem) return bodyProblem;
  const want = step.expectAudit;
  if (seen.audit.length !== 1)
    return `expected exactly one audit event (${want.event}), got ${seen.audit.length}`;
  const last = seen.audit[0]!;
  if (last.event !== want.event) return `expected audit event ${want.event}, got ${last.event}`;
  if (want.initiating !== undefined && last.initiating_user?.id !== want.initiating)
    return `expected initiating user ${want.initiating}, got ${last.initiating_user?.id ?? 'none'}`;
  if (want.effective !== undefined && last.effective_user?.id !== want.effective)
    return `expected effective user ${want.effective}, got ${last.effective_user?.id ?? 'none'}`;
  if (want.reason !== undefined && last.error?.reason !== want.reason)
    return `expected audit reason ${want.reason}, got ${last.error?.reason ?? 'none'}`;
  return undefined;
}
