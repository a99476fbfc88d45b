import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PomeriumAuthError, type AuditEvent, type PomeriumAuthOptions } from '@pomerium-auth/core';
import {
  assertionForHeaders,
  assertionHeaders,
  bearerAssertionHeaders,
  cookieHeaders,
  serviceAccountHeaders,
} from '@pomerium-auth/testing';
import {
  CONFORMANCE_CASES,
  type ConformanceCase,
  type ConformanceKit,
  type ConformanceOutcome,
} from './behaviour-table.js';
import {
  CONFORMANCE_USERS,
  createConformanceWorld,
  type ConformanceConfig,
  type ConformanceWorld,
} from './conformance-world.js';
import type { WhoamiBody } from './whoami-body.js';

/** A running app under test. */
export interface ConformanceApp {
  /** Base URL, e.g. `http://127.0.0.1:51234`. */
  url: string;
  close: () => Promise<void>;
}

/**
 * Where the adapter's authentication sits. `'route'`: on each route, after its route helpers,
 * so the route's rule is part of the one decision. `'app-wide'`: one middleware for the whole
 * app, route helpers after it (they can only narrow).
 */
export type ConformancePlacement = 'route' | 'app-wide';

/** An adapter under test. */
export interface ConformanceTarget {
  /** Shown in test names, e.g. `'express 5'`. */
  name: string;
  /** Starts an app on 127.0.0.1 serving the conformance routes with these options. */
  start(options: PomeriumAuthOptions, placement: ConformancePlacement): Promise<ConformanceApp>;
  /** The placements the adapter supports. Default both. */
  placements?: ConformancePlacement[];
  /** Optional features: rows that need a missing one are skipped. */
  features?: { requireAuthentication?: boolean };
  /** Extra rows of the adapter's own. */
  extraCases?: readonly ConformanceCase[];
  /**
   * Options laid over every configuration of the table, e.g. `{ assertionVerification:
   * 'main-thread' }` to run it with signatures checked in one place.
   */
  options?: Partial<PomeriumAuthOptions>;
}

function kitFor(world: ConformanceWorld): ConformanceKit {
  const claimsOf = (name: string) => {
    const user = CONFORMANCE_USERS.find((u) => u.id === name);
    return { sub: name, user: name, email: user?.email, groups: user?.groups ?? [] };
  };
  const { issuer } = world;
  return {
    issuer,
    as: (name, claims = {}, options = {}) =>
      assertionHeaders(issuer.mintAssertion({ ...claimsOf(name), ...claims }, options)),
    derivedAs: (name) =>
      assertionHeaders(issuer.mintAssertion(claimsOf(name), { key: world.derivedKey })),
    sa: (scheme = 'authorization-bearer-pomerium', account = 'sa-bot', options = {}) =>
      serviceAccountHeaders(
        issuer.mintServiceAccountToken({ id: account, userId: 'svc-bot', ...options }),
        scheme,
      ),
    legacy: (options) => serviceAccountHeaders(issuer.mintLegacyServiceAccountToken(options)),
    bearer: (name, claims = {}) =>
      bearerAssertionHeaders(issuer.mintAssertion({ ...claimsOf(name), ...claims })),
    cookie: (account = 'sa-bot') =>
      cookieHeaders(issuer.mintServiceAccountToken({ id: account, userId: 'svc-bot' })),
    assertionFor: (name) =>
      assertionForHeaders(
        issuer.mintAssertion({
          ...claimsOf(name),
          aud: 'first-hop.example.com',
          iss: 'first-hop.example.com',
        }),
      ),
    tampered: (name, claimed) => {
      const [header, , signature] = issuer.mintAssertion(claimsOf(name)).split('.');
      const [, payload] = issuer.mintAssertion(claimsOf(claimed)).split('.');
      return assertionHeaders(`${header}.${payload}.${signature}`);
    },
  };
}

/**
 * The audit events of one request. Core delivers each event before its decision returns, so by
 * the time the response is read every event is in: nothing to wait for.
 */
function auditedFor(world: ConformanceWorld, requestId: string): AuditEvent[] {
  return world.events.filter((e) => e.request.request_id === requestId);
}

/** Each event was delivered in the request's own async context, to the sink and to a subscriber. */
function checkContexts(world: ConformanceWorld, events: AuditEvent[], requestId: string): void {
  for (const e of events) {
    const seen = world.contexts.get(e.id);
    assert.equal(seen?.sink, requestId, `audit ${e.event}: the sink ran in the request's context`);
    assert.equal(
      seen?.channel,
      requestId,
      `audit ${e.event}: the subscriber ran in the request's context`,
    );
  }
}

function checkPass(outcome: ConformanceOutcome & { status: 200 }, body: WhoamiBody): void {
  assert.equal(body.user?.id ?? null, outcome.user, 'effective user');
  assert.equal(body.requestUser, outcome.user, 'the user where the framework keeps it');
  if (outcome.initiator !== undefined)
    assert.equal(body.initiator?.id, outcome.initiator, 'initiator');
  if (outcome.impersonating !== undefined)
    assert.equal(body.impersonating, outcome.impersonating, 'impersonating');
  if (outcome.via !== undefined)
    assert.equal(body.impersonation?.via, outcome.via, 'impersonation.via');
  if (outcome.grant !== undefined)
    assert.equal(body.impersonation?.grant, outcome.grant, 'impersonation.grant');
  if (outcome.source !== undefined)
    assert.equal(body.credential?.source, outcome.source, 'credential.source');
  if (outcome.kind !== undefined)
    assert.equal(body.initiator?.kind, outcome.kind, 'initiator.kind');
  if (outcome.onBehalfOf !== undefined)
    assert.equal(body.onBehalfOf, outcome.onBehalfOf, 'onBehalfOf');
  if (outcome.claimHeaders !== undefined)
    assert.deepEqual(body.claimHeaders, outcome.claimHeaders, 'claim headers the handler sees');
  assert.deepEqual(
    body.impersonationHeaders,
    [],
    'impersonation headers must be gone before the handler',
  );
}

function checkAudit(outcome: ConformanceOutcome, events: AuditEvent[], requestId: string): void {
  assert.equal(
    events.length,
    outcome.audit.length,
    `audit events for ${requestId}: ${JSON.stringify(events.map((e) => e.event))}`,
  );
  outcome.audit.forEach((want, i) => {
    const got = events[i]!;
    assert.equal(got.event, want.event, `audit event ${i}`);
    if (want.initiating !== undefined)
      assert.equal(got.initiating_user?.id, want.initiating, `audit ${i} initiating_user`);
    if (want.effective !== undefined)
      assert.equal(got.effective_user?.id, want.effective, `audit ${i} effective_user`);
    if (want.reason !== undefined)
      assert.equal(got.impersonation_reason, want.reason, `audit ${i} impersonation_reason`);
    if (want.errorReason !== undefined)
      assert.equal(got.error?.reason, want.errorReason, `audit ${i} error.reason`);
  });
}

/**
 * Registers the behaviour table as `node:test` tests against one adapter, in each placement it
 * supports, over real HTTP. Call it at the top level of a test file.
 *
 * @example
 * ```ts
 * runConformance({ name: 'express 5', start: (options, placement) => startApp(express5, options, placement) });
 * ```
 */
export function runConformance(target: ConformanceTarget): void {
  const placements = target.placements ?? ['route', 'app-wide'];
  const cases = [...CONFORMANCE_CASES, ...(target.extraCases ?? [])];
  describe(`${target.name}: conformance`, () => {
    let world: ConformanceWorld;
    let kit: ConformanceKit;
    const apps = new Map<string, Promise<ConformanceApp>>();
    let counter = 0;
    before(async () => {
      world = await createConformanceWorld();
      kit = kitFor(world);
    });
    after(async () => {
      const started = await Promise.allSettled(apps.values());
      await Promise.all(
        started.map((s) => (s.status === 'fulfilled' ? s.value.close() : undefined)),
      );
      await world?.close();
    });
    const appFor = (config: ConformanceConfig, placement: ConformancePlacement) => {
      const key = `${config}/${placement}`;
      let app = apps.get(key);
      if (!app) {
        app = target.start({ ...world.options(config), ...target.options }, placement);
        apps.set(key, app);
      }
      return app;
    };
    for (const placement of placements) {
      describe(
        placement === 'route' ? 'authentication on the route' : 'app-wide authentication',
        () => {
          for (const row of cases) {
            const skip = row.needs !== undefined && !target.features?.[row.needs];
            test(row.name, { skip: skip ? `the adapter has no ${row.needs}` : false }, async () => {
              const config = row.config ?? 'default';
              const outcome = placement === 'app-wide' ? (row.appWide ?? row.expect) : row.expect;
              const app = await appFor(config, placement);
              const requestId = `${target.name}/${placement}/${++counter}`;
              const res = await fetch(`${app.url}${row.path ?? '/whoami'}`, {
                method: row.method ?? 'GET',
                headers: { ...row.send(kit), 'x-request-id': requestId },
              });
              const text = await res.text();
              assert.equal(res.status, outcome.status, `status; body: ${text.slice(0, 300)}`);
              const events = auditedFor(world, requestId);
              checkAudit(outcome, events, requestId);
              checkContexts(world, events, requestId);
              if (outcome.status === 200) {
                checkPass(outcome, JSON.parse(text) as WhoamiBody);
                return;
              }
              const expected = new PomeriumAuthError(outcome.error, outcome.reason);
              for (const [name, value] of Object.entries(expected.headers))
                assert.equal(res.headers.get(name), value, `header ${name}`);
              if (expected.headers['WWW-Authenticate'] === undefined)
                assert.equal(res.headers.get('www-authenticate'), null, 'no challenge');
              if (config !== 'next') {
                assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
                assert.deepEqual(JSON.parse(text), expected.toJSON(), 'JSON body');
              }
              // Internal detail (which user, which claim) stays in the audit trail.
              for (const e of events)
                if (e.error?.detail)
                  assert.ok(!text.includes(e.error.detail), 'internal detail leaked to the client');
            });
          }
        },
      );
    }
  });
}
