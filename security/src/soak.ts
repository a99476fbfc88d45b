import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuditEvent, DirectoryUser } from '@pomerium-auth/core';
import { createApp } from '@pomerium-auth/example-express/app';
import {
  assertionHeaders,
  createTestIssuer,
  serviceAccountHeaders,
  signJwt,
} from '@pomerium-auth/testing';
import { keepAliveAgent, send } from './http-client.js';

/** Options of {@link runSoak}. */
export interface SoakOptions {
  /** Requests to send in total. */
  requests: number;
  /** Requests in flight at once (and keep-alive sockets). Default 32. */
  concurrency?: number;
  /** Called with a line of progress now and then. */
  log?: (line: string) => void;
}

/** Resident set size in MiB at three points, and the largest seen. */
export interface SoakMemory {
  start: number;
  middle: number;
  end: number;
  max: number;
}

/** What a soak run saw. */
export interface SoakReport {
  requests: number;
  /** Requests per kind of request. */
  kinds: Record<string, number>;
  /** Answers that were not what the kind of request must get (the first 20 are described). */
  wrong: number;
  examples: string[];
  unhandledRejections: number;
  auditEvents: number;
  /** At least one per request; at most two where a route's rule may refuse what the app-wide middleware granted. */
  auditEventsExpected: { min: number; max: number };
  rssMiB: SoakMemory;
  heapUsedMiB: SoakMemory;
  durationMs: number;
}

interface Kind {
  name: string;
  method: string;
  path: string;
  headers: () => Record<string, string>;
  check: (status: number, body: string) => boolean;
  /** Most audit events the request may cause: one decision, plus the route's refusal where a route rule narrows after an app-wide grant. */
  audits?: number;
}

const mib = (bytes: number): number => Math.round((bytes / 1048576) * 10) / 10;

/**
 * Sends `requests` requests through the Express example app on 127.0.0.1 (port 0), over
 * keep-alive HTTP with bounded concurrency: a mix of genuine assertions and service accounts
 * (cached and freshly minted), impersonation granted and denied, and invalid credentials.
 * Every answer is checked; memory is sampled at start, middle and end.
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const concurrency = options.concurrency ?? 32;
  const log = options.log ?? (() => undefined);
  let unhandledRejections = 0;
  const onRejection = (): void => void unhandledRejections++;
  process.on('unhandledRejection', onRejection);

  const issuer = await createTestIssuer({ host: 'app.example.com' });
  const keys = await issuer.serve();
  let auditEvents = 0;
  const users = new Map<string, DirectoryUser>();
  for (const user of [
    { id: 'admin', email: 'admin@corp.example', groups: ['admins'] },
    { id: 'bob', groups: ['staff'] },
    { id: 'root', groups: [] },
    ...Array.from({ length: 100 }, (_, i) => ({ id: `user_${i}`, groups: ['customers'] })),
  ])
    users.set(user.id, user);
  const app = createApp({
    env: false,
    jwksUrl: keys.url,
    issuer: issuer.issuer,
    audience: issuer.audience,
    sharedSecret: issuer.sharedSecret,
    directory: (id) => users.get(id) ?? null,
    impersonation: {
      grants: [{ name: 'support', initiators: ['group:admins'], targets: ['user_*'] }],
      protect: ['root', 'group:admins'],
    },
    audit: (_event: AuditEvent) => void auditEvents++,
    logger: { warn: () => undefined },
  });
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const agent = keepAliveAgent(concurrency);

  const pool = Array.from({ length: 50 }, (_, i) =>
    issuer.mintAssertion({ sub: `user_${i}` }, { lifetime: 3600 }),
  );
  const admin = issuer.mintAssertion(
    { sub: 'admin', email: 'admin@corp.example', groups: ['admins'] },
    { lifetime: 3600 },
  );
  const bob = issuer.mintAssertion({ sub: 'bob' }, { lifetime: 3600 });
  const sa = issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'user_7' });
  const expired = issuer.mintAssertion(
    { sub: 'user_1' },
    { now: Math.floor(Date.now() / 1000) - 3600 },
  );
  const none = signJwt({ alg: 'none', typ: 'JWT' }, { sub: 'admin' }, null);
  const forged = `${pool[0]!.slice(0, pool[0]!.lastIndexOf('.'))}.${Buffer.alloc(64, 7).toString('base64url')}`;
  let n = 0;
  const profile =
    (user: string, initiator = user) =>
    (status: number, body: string): boolean => {
      if (status !== 200) return false;
      const p = JSON.parse(body) as {
        user: { id: string };
        initiator: { id: string };
        impersonating: boolean;
      };
      return (
        p.user.id === user &&
        p.initiator.id === initiator &&
        p.impersonating === (user !== initiator)
      );
    };
  const refused =
    (status: number, error: string) =>
    (s: number, body: string): boolean =>
      s === status && (JSON.parse(body) as { error: string }).error === error;
  let last = '';
  const kinds: Kind[] = [
    {
      name: 'assertion (cached)',
      method: 'GET',
      path: '/api/profile',
      headers: () => assertionHeaders(pool[n++ % pool.length]!),
      check: (s, b) =>
        s === 200 && (JSON.parse(b) as { user: { id: string } }).user.id.startsWith('user_'),
    },
    {
      name: 'assertion (fresh)',
      method: 'GET',
      path: '/api/profile',
      headers: () => assertionHeaders(issuer.mintAssertion({ sub: (last = `user_${n++ % 100}`) })),
      check: (s, b) =>
        profile(last)(s, b) ||
        (s === 200 && (JSON.parse(b) as { user: { id: string } }).user.id.startsWith('user_')),
    },
    {
      name: 'service account',
      method: 'GET',
      path: '/api/reports',
      headers: () =>
        serviceAccountHeaders(
          sa,
          (
            [
              'x-pomerium-authorization',
              'authorization-pomerium',
              'authorization-bearer-pomerium',
            ] as const
          )[n++ % 3],
        ),
      check: (s, b) => s === 200 && (JSON.parse(b) as { readBy: string }).readBy === 'user_7',
    },
    {
      name: 'impersonation granted',
      method: 'GET',
      path: '/api/profile',
      headers: () => ({ ...assertionHeaders(admin), 'impersonate-user': 'user_42' }),
      check: profile('user_42', 'admin'),
    },
    {
      name: 'impersonation denied (not granted)',
      method: 'GET',
      path: '/api/profile',
      headers: () => ({ ...assertionHeaders(bob), 'impersonate-user': 'user_1' }),
      check: refused(403, 'impersonation_denied'),
    },
    {
      name: 'impersonation denied (protected)',
      method: 'GET',
      path: '/api/profile',
      headers: () => ({ ...assertionHeaders(admin), 'impersonate-user': 'root' }),
      check: refused(403, 'impersonation_denied'),
    },
    {
      name: 'impersonation denied (payments)',
      method: 'POST',
      path: '/api/payments',
      headers: () => ({ ...assertionHeaders(admin), 'impersonate-user': 'user_3' }),
      check: refused(403, 'impersonation_denied'),
      audits: 2,
    },
    {
      name: 'expired',
      method: 'GET',
      path: '/api/profile',
      headers: () => assertionHeaders(expired),
      check: refused(401, 'invalid_token'),
    },
    {
      name: 'alg none',
      method: 'GET',
      path: '/api/profile',
      headers: () => assertionHeaders(none),
      check: refused(401, 'invalid_token'),
    },
    {
      name: 'forged signature',
      method: 'GET',
      path: '/api/profile',
      headers: () => assertionHeaders(forged),
      check: refused(401, 'invalid_token'),
    },
    {
      name: 'random kid',
      method: 'GET',
      path: '/api/profile',
      headers: () => assertionHeaders(issuer.mintAssertion({}, { header: { kid: randomUUID() } })),
      check: refused(401, 'invalid_token'),
    },
    {
      name: 'garbage',
      method: 'GET',
      path: '/api/profile',
      headers: () => ({ authorization: `Pomerium ${randomUUID()}` }),
      check: refused(400, 'invalid_request'),
    },
    {
      name: 'no credential',
      method: 'GET',
      path: '/api/profile',
      headers: () => ({}),
      check: refused(401, 'credentials_required'),
    },
  ];

  const counts: Record<string, number> = Object.fromEntries(kinds.map((k) => [k.name, 0]));
  const examples: string[] = [];
  let wrong = 0;
  let auditEventsExpected = 0;
  let next = 0;
  let done = 0;
  const rss: SoakMemory = { start: 0, middle: 0, end: 0, max: 0 };
  const heap: SoakMemory = { start: 0, middle: 0, end: 0, max: 0 };
  const sample = (at: 'start' | 'middle' | 'end'): void => {
    const m = process.memoryUsage();
    rss[at] = mib(m.rss);
    heap[at] = mib(m.heapUsed);
  };
  const started = Date.now();
  sample('start');
  const tick = setInterval(() => {
    const m = process.memoryUsage();
    rss.max = Math.max(rss.max, mib(m.rss));
    heap.max = Math.max(heap.max, mib(m.heapUsed));
  }, 250);

  async function worker(): Promise<void> {
    while (next < options.requests) {
      const i = next++;
      const kind = kinds[i % kinds.length]!;
      counts[kind.name]!++;
      auditEventsExpected += kind.audits ?? 1;
      try {
        const headers = kind.headers();
        const answer = await send(agent, base + kind.path, kind.method, headers);
        if (!kind.check(answer.status, answer.body)) {
          wrong++;
          if (examples.length < 20)
            examples.push(`${kind.name}: ${answer.status} ${answer.body.slice(0, 200)}`);
        }
      } catch (err) {
        wrong++;
        if (examples.length < 20) examples.push(`${kind.name}: ${String(err)}`);
      }
      done++;
      if (done === Math.floor(options.requests / 2)) sample('middle');
      if (done % 20_000 === 0)
        log(`${done} requests, rss ${mib(process.memoryUsage().rss)} MiB, ${wrong} wrong`);
    }
  }

  try {
    await Promise.all(Array.from({ length: concurrency }, () => worker()));
    sample('end');
  } finally {
    clearInterval(tick);
    agent.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await issuer.close();
    await new Promise((resolve) => setImmediate(resolve));
    process.off('unhandledRejection', onRejection);
  }
  rss.max = Math.max(rss.max, rss.start, rss.middle, rss.end);
  heap.max = Math.max(heap.max, heap.start, heap.middle, heap.end);
  return {
    requests: done,
    kinds: counts,
    wrong,
    examples,
    unhandledRejections,
    auditEvents,
    auditEventsExpected: { min: done, max: auditEventsExpected },
    rssMiB: rss,
    heapUsedMiB: heap,
    durationMs: Date.now() - started,
  };
}
