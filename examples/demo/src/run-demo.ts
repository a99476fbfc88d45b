import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuditEvent } from '@pomerium-auth/core';
import { createApp } from '@pomerium-auth/example-express/app';
import { DEV_SHARED_SECRET, devOptions } from '@pomerium-auth/example-support';
import {
  assertionHeaders,
  createTestIssuer,
  generateSigningKey,
  serviceAccountHeaders,
  type ServiceAccountScheme,
} from '@pomerium-auth/testing';
import { colorWanted, painter, rows, shorten, table, type DemoOutput } from './demo-output.js';
import { judge, type DemoStep, type Observed } from './demo-steps.js';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Where the walkthrough is written. Default `process.stdout`. */
  output?: DemoOutput;
  /** Force colours on or off. Default: on a terminal, unless NO_COLOR is set. */
  color?: boolean;
}

/** How one step went. */
export interface StepResult {
  name: string;
  title: string;
  passed: boolean;
  expectStatus: number;
  status: number;
  /** Why it did not behave as shown. */
  problem?: string;
  audit: AuditEvent[];
}

/** The outcome of the walkthrough. */
export interface DemoResult {
  passed: boolean;
  steps: StepResult[];
}

function profile(body: unknown): {
  user?: { id?: string };
  initiator?: { id?: string };
  impersonating?: boolean;
} {
  // The demo's own app answered: its shape is known, not checked (every member is optional).
  return body ?? {};
}

function errorIs(code: string): (body: unknown) => string | undefined {
  return (body) =>
    (body as { error?: string } | null)?.error === code
      ? undefined
      : `expected the body to say "error": "${code}"`;
}

/**
 * Runs the walkthrough: the example Express app with its dev options on 127.0.0.1 (port 0),
 * behind a loopback key server with a dev signing key; tokens minted on the spot; each request
 * and response shown with what was expected and PASS or FAIL. Closes every server it opened.
 *
 * @example
 * ```ts
 * import { runDemo } from '@pomerium-auth/demo';
 * const { passed } = await runDemo({ output: process.stdout });
 * process.exitCode = passed ? 0 : 1;
 * ```
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const output = options.output ?? process.stdout;
  const paint = painter(options.color ?? colorWanted(output));
  const out = (text: string) => output.write(text);

  // A stand-in for Pomerium: the dev shared secret, a fresh ES256 key, its key set on loopback.
  const issuer = await createTestIssuer({ sharedSecret: DEV_SHARED_SECRET });
  const audit: AuditEvent[] = [];
  let server: Server | undefined;
  try {
    const keys = await issuer.serve();
    const app = createApp(
      devOptions(
        { jwksUrl: keys.url, issuer: issuer.issuer, audience: issuer.audience },
        { audit: (e) => audit.push(e) },
      ),
    );
    server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const person = (sub: string, email: string, name: string, groups: string[]) =>
      assertionHeaders(issuer.mintAssertion({ sub, email, name, groups }));
    const alice = person('alice', 'alice@example.com', 'Alice Admin', ['admins']);
    const bob = person('bob', 'bob@example.com', 'Bob Builder', ['staff']);
    const machine = issuer.mintServiceAccountToken({ id: 'sa-reports', userId: 'svc-reports' });
    const forger = await generateSigningKey('ES256', issuer.keys[0]!.kid);
    const forged = assertionHeaders(
      issuer.mintAssertion(
        { sub: 'alice', email: 'alice@example.com', groups: ['admins'] },
        { key: forger },
      ),
    );
    const expired = assertionHeaders(
      issuer.mintAssertion(
        { sub: 'bob', email: 'bob@example.com', groups: ['staff'] },
        { now: Math.floor(Date.now() / 1000) - 3600 },
      ),
    );

    const serviceAccountStep = (scheme: ServiceAccountScheme, label: string): DemoStep => ({
      name: `service account, ${label}`,
      title: `A service-account token in ${label} is accepted`,
      request: {
        method: 'GET',
        path: '/api/reports',
        headers: serviceAccountHeaders(machine, scheme),
      },
      expectStatus: 200,
      expectation: '200, read by svc-reports (the user of account sa-reports)',
      expectAudit: { event: 'authenticated', initiating: 'svc-reports', effective: 'svc-reports' },
      checkBody: (body) =>
        (body as { readBy?: string }).readBy === 'svc-reports'
          ? undefined
          : 'expected readBy svc-reports',
    });
    const steps: DemoStep[] = [
      serviceAccountStep('x-pomerium-authorization', 'x-pomerium-authorization'),
      serviceAccountStep('authorization-pomerium', 'Authorization: Pomerium'),
      serviceAccountStep('authorization-bearer-pomerium', 'Authorization: Bearer Pomerium-'),
      {
        name: 'assertion',
        title: "Pomerium's identity assertion (X-Pomerium-Jwt-Assertion) is accepted",
        request: { method: 'GET', path: '/api/profile', headers: bob },
        expectStatus: 200,
        expectation: '200, the profile of bob',
        expectAudit: { event: 'authenticated', initiating: 'bob', effective: 'bob' },
        checkBody: (body) => (profile(body).user?.id === 'bob' ? undefined : 'expected user bob'),
      },
      {
        name: 'forged assertion',
        title: 'A forged assertion (right kid, wrong key) is refused',
        request: { method: 'GET', path: '/api/profile', headers: forged },
        expectStatus: 401,
        expectation: '401 invalid_token; the audit says bad_signature',
        expectAudit: { event: 'authentication_failed', reason: 'bad_signature' },
        checkBody: errorIs('invalid_token'),
      },
      {
        name: 'expired assertion',
        title: 'An expired assertion is refused',
        request: { method: 'GET', path: '/api/profile', headers: expired },
        expectStatus: 401,
        expectation: '401 invalid_token; the audit says token_expired',
        expectAudit: { event: 'authentication_failed', reason: 'token_expired' },
        checkBody: errorIs('invalid_token'),
      },
      {
        name: 'admin impersonates user_1',
        title: 'An admin (alice) acts as user_1, with a reason',
        request: {
          method: 'GET',
          path: '/api/profile',
          headers: { ...alice, 'impersonate-user': 'user_1', 'impersonate-reason': 'ticket 42' },
        },
        expectStatus: 200,
        expectation: "200, user_1's profile with initiator alice; the audit names both",
        expectAudit: { event: 'impersonation_granted', initiating: 'alice', effective: 'user_1' },
        checkBody: (body) => {
          const p = profile(body);
          return p.user?.id === 'user_1' && p.initiator?.id === 'alice' && p.impersonating === true
            ? undefined
            : 'expected user user_1, initiator alice';
        },
      },
      {
        name: 'non-admin impersonates',
        title: 'A non-admin (bob) asking to act as user_1 is refused',
        request: {
          method: 'GET',
          path: '/api/profile',
          headers: { ...bob, 'impersonate-user': 'user_1' },
        },
        expectStatus: 403,
        expectation: '403 impersonation_denied; the audit says not_allowed',
        expectAudit: { event: 'impersonation_denied', initiating: 'bob', reason: 'not_allowed' },
        checkBody: errorIs('impersonation_denied'),
      },
      {
        name: 'protected target',
        title: 'Acting as a protected user (root) is refused, even for an admin',
        request: {
          method: 'GET',
          path: '/api/profile',
          headers: { ...alice, 'impersonate-user': 'root' },
        },
        expectStatus: 403,
        expectation: '403, the same answer to the client; the audit says protected_target',
        expectAudit: {
          event: 'impersonation_denied',
          initiating: 'alice',
          reason: 'protected_target',
        },
        checkBody: errorIs('impersonation_denied'),
      },
      {
        name: 'route forbids impersonation',
        title: 'POST /api/payments forbids impersonation: alice acting as user_1 is refused',
        request: {
          method: 'POST',
          path: '/api/payments',
          headers: { ...alice, 'impersonate-user': 'user_1' },
        },
        expectStatus: 403,
        expectation:
          '403: the app-wide grant stands as it was audited, and the route rule refuses it: two decisions, two events (impersonation_granted, then impersonation_denied)',
        expectAudit: [
          { event: 'impersonation_granted', initiating: 'alice', effective: 'user_1' },
          { event: 'impersonation_denied', initiating: 'alice', reason: 'forbidden_on_route' },
        ],
        checkBody: errorIs('impersonation_denied'),
      },
      {
        name: 'policy refuses as user_1',
        title:
          'Finance is for the finance group: alice acting as user_1 is refused there, as user_1 is',
        request: {
          method: 'GET',
          path: '/api/finance',
          headers: { ...alice, 'impersonate-user': 'user_1' },
        },
        expectStatus: 403,
        expectation:
          '403 insufficient_scope: the policy judges user_1 (the effective user); the audit shows the grant, then access_denied',
        expectAudit: [
          { event: 'impersonation_granted', initiating: 'alice', effective: 'user_1' },
          {
            event: 'access_denied',
            initiating: 'alice',
            effective: 'user_1',
            reason: 'policy_denied',
          },
        ],
        checkBody: errorIs('insufficient_scope'),
      },
      {
        name: 'policy allows as user_1',
        title: 'The staff board is for staff: alice acting as user_1 is let in, as user_1 is',
        request: {
          method: 'GET',
          path: '/api/staff-board',
          headers: { ...alice, 'impersonate-user': 'user_1' },
        },
        expectStatus: 200,
        expectation: '200, read by user_1; the audit shows the grant, then access_granted',
        expectAudit: [
          { event: 'impersonation_granted', initiating: 'alice', effective: 'user_1' },
          { event: 'access_granted', initiating: 'alice', effective: 'user_1' },
        ],
        checkBody: (body) =>
          (body as { readBy?: string }).readBy === 'user_1' ? undefined : 'expected read by user_1',
      },
      {
        name: 'payment as oneself',
        title: 'The same payment by alice as herself is accepted',
        request: { method: 'POST', path: '/api/payments', headers: alice },
        expectStatus: 201,
        expectation: '201, paid by alice',
        expectAudit: { event: 'authenticated', initiating: 'alice', effective: 'alice' },
        checkBody: (body) =>
          (body as { by?: string }).by === 'alice' ? undefined : 'expected by alice',
      },
    ];

    out(
      `${paint('bold', 'pomerium-auth demo')}: the example Express app behind a stand-in for Pomerium\n`,
    );
    out(
      rows(
        [
          ['app', `${base}  (examples/express, dev options)`],
          ['key set', `${keys.url}  (a fresh ES256 key)`],
          ['secret', 'the published DEV ONLY shared secret of examples/express'],
          [
            'grants',
            'group:admins may act as user_* and members of support; root and admins are protected',
          ],
        ],
        '  ',
        paint,
      ),
    );

    const results: StepResult[] = [];
    for (const [i, step] of steps.entries()) {
      const requestId = `demo-${i + 1}`;
      const seen = await send(base, step, requestId, audit);
      const problem = judge(step, seen);
      results.push({
        name: step.name,
        title: step.title,
        passed: !problem,
        expectStatus: step.expectStatus,
        status: seen.status,
        audit: seen.audit,
        ...(problem ? { problem } : {}),
      });
      out(
        `\n${problem ? paint('red', 'FAIL') : paint('green', 'PASS')}  ${paint('bold', `${String(i + 1).padStart(2)}. ${step.title}`)}\n`,
      );
      const headerLines = Object.entries(step.request.headers).map(
        ([k, v]) => `${k}: ${shorten(v, 60)}`,
      );
      const entries: Array<[string, string]> = [
        ['request', `${step.request.method} ${step.request.path}`],
        ...headerLines.map((h) => ['', paint('dim', h)] as [string, string]),
        ['expect', step.expectation],
        ['response', `${seen.status} ${shorten(JSON.stringify(seen.body), 100)}`],
        ...(isProfile(seen.body)
          ? [['', paint('dim', profileSummary(seen.body))] as [string, string]]
          : []),
        ...seen.audit.map((e) => ['audit', auditLine(e)] as [string, string]),
      ];
      if (problem) entries.push(['problem', paint('red', problem)]);
      out(rows(entries, '      ', paint));
    }

    const passed = results.every((r) => r.passed);
    out(`\n${paint('bold', 'Summary')}\n`);
    out(
      table(
        ['#', 'step', 'expected', 'got', 'result'],
        results.map((r, i) => [
          String(i + 1),
          r.name,
          String(r.expectStatus),
          String(r.status),
          r.passed ? 'PASS' : 'FAIL',
        ]),
        '  ',
        paint,
        (row, col, text) =>
          col === 4 ? paint(results[row]!.passed ? 'green' : 'red', text) : text,
      ),
    );
    const count = results.filter((r) => r.passed).length;
    out(
      `\n${passed ? paint('green', `All ${count} steps behaved as shown.`) : paint('red', `${results.length - count} of ${results.length} steps did not behave as shown.`)}\n`,
    );
    return { passed, steps: results };
  } finally {
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    }
    await issuer.close();
  }
}

function isProfile(body: unknown): body is {
  user: { id: string; groups: string[] };
  initiator: { id: string };
  impersonating: boolean;
} {
  const p = profile(body);
  return typeof p.user?.id === 'string' && typeof p.initiator?.id === 'string';
}

/** The part of a long profile a person looks for. */
function profileSummary(p: {
  user: { id: string; groups: string[] };
  initiator: { id: string };
  impersonating: boolean;
}): string {
  return `user ${p.user.id} (groups ${p.user.groups.join(',') || 'none'}), initiator ${p.initiator.id}, impersonating ${String(p.impersonating)}`;
}

/** `impersonation_granted  initiating alice → effective user_1  grant admins  reason "ticket 42"`. */
function auditLine(e: AuditEvent): string {
  const parts = [e.event.padEnd(21)];
  if (e.initiating_user) parts.push(`initiating ${e.initiating_user.id}`);
  if (e.effective_user) parts.push(`effective ${e.effective_user.id}`);
  if (e.impersonation_target !== undefined && !e.effective_user)
    parts.push(`target ${e.impersonation_target}`);
  if (e.grant !== undefined) parts.push(`grant ${e.grant}`);
  if (e.policy !== undefined) parts.push(`policy ${e.policy} (${e.reasons?.join(', ') ?? ''})`);
  if (e.impersonation_reason !== undefined)
    parts.push(`reason ${JSON.stringify(e.impersonation_reason)}`);
  if (e.error) parts.push(`error ${e.error.code}/${e.error.reason}`);
  if (e.credential_source !== undefined) parts.push(`via ${e.credential_source}`);
  return parts.join('  ');
}

/** Sends one request and collects its response and the audit events it left. */
async function send(
  base: string,
  step: DemoStep,
  requestId: string,
  audit: AuditEvent[],
): Promise<Observed> {
  const res = await fetch(`${base}${step.request.path}`, {
    method: step.request.method,
    headers: { ...step.request.headers, 'x-request-id': requestId },
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // not JSON: shown as text
  }
  // Each audit event is delivered when its decision is made: all are in before the response.
  const mine = () => audit.filter((e) => e.request.request_id === requestId);
  return { status: res.status, body, audit: mine() };
}
