// The fleet measurement: how long after a service account's record is deleted from a records
// source does each instance of a fleet refuse the account? Four instances (separate processes)
// poll one records server over HTTP on 127.0.0.1; each authenticates the account's token every
// 20 ms. The record is deleted at t0; each instance's first refusal is timed against t0. The
// bound is the instance's poll delay at t0 (plus a request), whatever the cache holds: the record
// is consulted on every request. Run: `pnpm --filter @pomerium-auth/bench fleet`.
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestIssuer } from '@pomerium-auth/testing';

interface Scenario {
  name: string;
  source: { minDelay: number; maxDelay: number; backoff?: number };
  /** Seconds the source stays unchanged before the record is deleted (delays grow with backoff). */
  quiet: number;
}

const INSTANCES = Number(process.env.FLEET_INSTANCES ?? 4);

const SCENARIOS: Scenario[] = [
  {
    name: 'defaults (minDelay 30 s, backoff 1)',
    source: { minDelay: 30, maxDelay: 300 },
    quiet: 5,
  },
  {
    name: 'short minDelay (1 s), backoff 1',
    source: { minDelay: 1, maxDelay: 300, backoff: 1 },
    quiet: 20,
  },
  // What the old default backoff (2) did, scaled down: after a quiet spell the delay has grown.
  {
    name: 'minDelay 1 s, backoff 2, maxDelay 16 s',
    source: { minDelay: 1, maxDelay: 16, backoff: 2 },
    quiet: 20,
  },
];

/** A records server whose one file the measurement changes; it answers ETag and 304. */
function recordsServer(): { server: Server; set(records: object[]): void; polls: () => number } {
  let body = '[]';
  let etag = '';
  let polls = 0;
  const set = (records: object[]) => {
    body = JSON.stringify(records);
    etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
  };
  const server = createServer((req, res) => {
    polls++;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', etag }).end(body);
  });
  return { server, set, polls: () => polls };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

function waitFor(
  children: ChildProcess[],
  type: string,
  limitMs: number,
): Promise<Array<{ at?: number; reason?: string }>> {
  return Promise.all(
    children.map(
      (child) =>
        new Promise<{ at?: number; reason?: string }>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`an instance sent no ${type} within ${limitMs} ms`)),
            limitMs,
          );
          const onMessage = (message: { type: string; at?: number; reason?: string }) => {
            if (message.type !== type) return;
            clearTimeout(timer);
            child.off('message', onMessage);
            resolve(message);
          };
          child.on('message', onMessage);
        }),
    ),
  );
}

async function run(
  scenario: Scenario,
  port: number,
  records: ReturnType<typeof recordsServer>,
  secret: string,
  token: string,
) {
  records.set([{ id: 'sa-1', user_id: 'bot' }]);
  const instance = new URL('./fleet-instance.js', import.meta.url);
  const config = {
    url: `http://127.0.0.1:${port}/service-accounts.json`,
    sharedSecret: secret,
    token,
    source: scenario.source,
  };
  const children = Array.from({ length: INSTANCES }, () =>
    fork(instance, [JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  try {
    await waitFor(children, 'ready', 30_000);
    await new Promise((resolve) => setTimeout(resolve, scenario.quiet * 1000));
    const polls = records.polls();
    const t0 = Date.now();
    records.set([{ id: 'sa-2', user_id: 'other' }]);
    const limit = (scenario.source.maxDelay + 15) * 1000;
    const refused = await waitFor(children, 'refused', limit);
    const seconds = refused.map((r) => ((r.at ?? t0) - t0) / 1000);
    return {
      scenario: scenario.name,
      quiet: scenario.quiet,
      seconds,
      max: Math.max(...seconds),
      reasons: [...new Set(refused.map((r) => r.reason))],
      pollsDuringQuiet: polls,
    };
  } finally {
    for (const child of children) child.kill();
  }
}

async function main(): Promise<void> {
  const issuer = await createTestIssuer();
  const token = issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' });
  const records = recordsServer();
  const port = await listen(records.server);
  const only = process.env.FLEET_SCENARIO;
  console.log(
    `fleet: ${INSTANCES} instances (separate processes) polling one records server on 127.0.0.1`,
  );
  console.log(
    'scenario | quiet before the deletion | seconds until each instance refused | slowest',
  );
  for (const scenario of SCENARIOS.filter((s) => !only || s.name.includes(only))) {
    const quiet =
      process.env.FLEET_QUIET === undefined ? scenario.quiet : Number(process.env.FLEET_QUIET);
    const result = await run({ ...scenario, quiet }, port, records, issuer.sharedSecret, token);
    console.log(
      `${result.scenario} | ${result.quiet} s | ${result.seconds.map((s) => s.toFixed(2)).join(', ')} | ${result.max.toFixed(2)} s (${result.reasons.join(', ')})`,
    );
  }
  records.server.close();
  await issuer.close();
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
