// Parses and checks the attack table's expectations (see attack-table.ts).
import type { AuditEvent, Identity } from '@pomerium-auth/core';

export type Expectation =
  | { kind: 'pass'; user: string; initiator?: string; source?: string; groups?: string[] }
  | { kind: 'anon' }
  | { kind: 'error'; status: number; error: string; reason?: string };

export function parseExpectation(text: string): Expectation {
  if (text === 'anon') return { kind: 'anon' };
  const words = text.split(' ');
  if (words[0] === 'pass') {
    const e: Expectation = { kind: 'pass', user: words[1]! };
    for (let i = 2; i < words.length; i++) {
      const w = words[i]!;
      if (w === 'by') e.initiator = words[++i]!;
      else if (w.startsWith('@')) e.source = w.slice(1);
      else if (w.startsWith('groups=')) e.groups = w.slice(7).split(',');
      else throw new Error(`bad expectation ${JSON.stringify(text)}`);
    }
    return e;
  }
  const status = Number(words[0]);
  if (!Number.isInteger(status) || words.length < 2 || words.length > 3)
    throw new Error(`bad expectation ${JSON.stringify(text)}`);
  return {
    kind: 'error',
    status,
    error: words[1]!,
    ...(words[2] !== undefined ? { reason: words[2] } : {}),
  };
}

/** Describes an identity in the table's words, for messages. */
export function describeIdentity(identity: Identity | undefined): string {
  if (!identity) return 'anon';
  const by = identity.impersonating ? ` by ${identity.initiator.id}` : '';
  return `pass ${identity.user.id}${by} @${identity.credential.source} groups=${identity.user.groups.join(',')}`;
}

/** Mismatches between an identity and a 'pass'/'anon' expectation; empty when it holds. */
export function identityMismatch(e: Expectation, identity: Identity | undefined): string[] {
  if (e.kind === 'anon')
    return identity === undefined ? [] : [`expected anonymous, got ${describeIdentity(identity)}`];
  if (e.kind !== 'pass') return [`expected an error, got ${describeIdentity(identity)}`];
  if (!identity) return ['expected an identity, got anonymous'];
  const out: string[] = [];
  if (identity.user.id !== e.user) out.push(`user ${identity.user.id} != ${e.user}`);
  const impersonating = e.initiator !== undefined;
  if (identity.impersonating !== impersonating)
    out.push(`impersonating ${identity.impersonating} != ${impersonating}`);
  if (impersonating && identity.initiator.id !== e.initiator)
    out.push(`initiator ${identity.initiator.id} != ${e.initiator}`);
  if (!impersonating && identity.initiator !== identity.user) out.push('initiator is not the user');
  if (e.source !== undefined && identity.credential.source !== e.source)
    out.push(`source ${identity.credential.source} != ${e.source}`);
  if (e.groups !== undefined && identity.user.groups.join(',') !== e.groups.join(','))
    out.push(`groups ${identity.user.groups.join(',')} != ${e.groups.join(',')}`);
  return out;
}

/** Mismatches between the one audit event of a decision and its outcome. */
export function auditMismatch(
  event: AuditEvent,
  outcome: { identity?: Identity; error?: { error: string; reason: string } },
): string[] {
  const out: string[] = [];
  if (outcome.error) {
    const name =
      outcome.error.error === 'impersonation_denied' || outcome.error.reason === 'reason_required'
        ? 'impersonation_denied'
        : 'authentication_failed';
    if (event.event !== name) out.push(`audit event ${event.event} != ${name}`);
    if (event.error?.code !== outcome.error.error)
      out.push(`audit code ${event.error?.code} != ${outcome.error.error}`);
    if (event.error?.reason !== outcome.error.reason)
      out.push(`audit reason ${event.error?.reason} != ${outcome.error.reason}`);
    if (event.effective_user !== undefined) out.push('a refusal names an effective user');
    return out;
  }
  const identity = outcome.identity;
  if (!identity) {
    if (event.event !== 'authentication_failed' && event.event !== 'authenticated')
      out.push(`anonymous gave ${event.event}`);
    return out;
  }
  const name = identity.impersonating ? 'impersonation_granted' : 'authenticated';
  if (event.event !== name) out.push(`audit event ${event.event} != ${name}`);
  if (event.initiating_user?.id !== identity.initiator.id)
    out.push(`audit initiating_user ${event.initiating_user?.id} != ${identity.initiator.id}`);
  if (event.effective_user?.id !== identity.user.id)
    out.push(`audit effective_user ${event.effective_user?.id} != ${identity.user.id}`);
  if (event.credential_source !== identity.credential.source)
    out.push(`audit credential_source ${event.credential_source}`);
  return out;
}
