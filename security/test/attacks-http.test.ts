// The attack table over real HTTP through the Express example app (examples/express createApp):
// every line an HTTP client can send must get the same status and error code as from core,
// the same identity in GET /api/profile, and exactly one audit event with the same reason, with
// signatures checked on the main thread and on the signature workers alike.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuditEvent } from '@pomerium-auth/core';
import { createApp } from '@pomerium-auth/example-express/app';
import { keepAliveAgent, send } from '../src/http-client.js';
import { attackRows } from './lib/attack-table.js';
import { parseExpectation } from './lib/expectation.js';
import { createFixtures, type AuthName } from './lib/fixtures.js';
import {
  describeMode,
  readySignatureWorkers,
  VERIFICATION_MODES,
} from './lib/verification-modes.js';

const f = await createFixtures();
const rows = attackRows(f).filter((r) => r.http && r.expect !== 'anon');
const events: AuditEvent[] = [];
const servers = new Map<string, { server: Server; url: string }>();
const agent = keepAliveAgent(4);

before(async () => {
  await readySignatureWorkers(f.options('main'), f.assertion());
  for (const mode of VERIFICATION_MODES)
    for (const name of new Set<AuthName>(['main', ...rows.map((r) => r.auth)])) {
      const options = {
        ...f.options(name, (e) => void events.push(e)),
        assertionVerification: mode,
      };
      const server = createApp(options).listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      servers.set(`${mode}/${name}`, {
        server,
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      });
    }
});
after(async () => {
  agent.destroy();
  for (const { server } of servers.values()) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await f.close();
});

test('at least 80 lines of the table run over HTTP', () => {
  assert.ok(rows.length >= 80, `${rows.length} rows`);
});

for (const mode of VERIFICATION_MODES)
  describeMode(mode, () => {
    for (const row of rows) {
      test(
        `HTTP [${row.auth}] ${row.name} → ${row.expect}`,
        row.bug ? { todo: row.bug } : {},
        async () => {
          const { url } = servers.get(`${mode}/${row.auth}`)!;
          const path = row.method === 'GET' ? '/api/profile' : '/api/payments';
          if (row.warm) await send(agent, `${url}/api/profile`, 'GET', row.warm);
          await new Promise((resolve) => setImmediate(resolve));
          events.length = 0;
          // Lines of rawHeaders are sent as they are; the other headers of the row go along.
          const inRaw = new Set(
            (row.rawHeaders ?? []).filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase()),
          );
          const headers = row.rawHeaders
            ? [
                ...row.rawHeaders,
                ...Object.entries(row.headers)
                  .filter(([n]) => !inRaw.has(n))
                  .flatMap(([n, v]) => [v].flat().flatMap((x) => [n, x])),
              ]
            : row.headers;
          const answer = await send(agent, `${url}${path}`, row.method, headers);
          await new Promise((resolve) => setImmediate(resolve));
          const expected = parseExpectation(row.expect);
          const body = JSON.parse(answer.body) as Record<string, unknown>;
          if (expected.kind === 'error') {
            assert.deepEqual(
              [answer.status, body.error],
              [expected.status, expected.error],
              answer.body,
            );
            assert.deepEqual(
              Object.keys(body).sort(),
              ['error', 'error_description'],
              'nothing internal in the body',
            );
            if (expected.status === 401)
              assert.match(String(answer.headers['www-authenticate']), /^Bearer realm="pomerium"/);
          } else if (expected.kind === 'pass') {
            assert.equal(answer.status, 200, answer.body);
            const profile = body as {
              user: { id: string; groups: string[] };
              initiator: { id: string };
              impersonating: boolean;
              credential: string;
            };
            assert.equal(profile.user.id, expected.user);
            assert.equal(profile.impersonating, expected.initiator !== undefined);
            if (expected.initiator) assert.equal(profile.initiator.id, expected.initiator);
            if (expected.source) assert.equal(profile.credential, expected.source);
            if (expected.groups) assert.deepEqual(profile.user.groups, expected.groups);
          }
          // Exactly one audit event per decision; an anonymous pass on an optional route is not a decision about anyone.
          assert.equal(
            events.length,
            expected.kind === 'anon' ? 0 : 1,
            `${events.length} audit events`,
          );
          if (expected.kind === 'error' && expected.reason)
            assert.equal(events[0]!.error?.reason, expected.reason);
        },
      );
    }
  });

test('HTTP: a credential header over 16 KiB is refused by Node (431) before anything parses it', async () => {
  const { url } = servers.get('main-thread/main')!;
  events.length = 0;
  const answer = await send(agent, `${url}/api/profile`, 'GET', {
    'x-pomerium-jwt-assertion': 'a'.repeat(17_000),
  });
  assert.equal(answer.status, 431);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(events.length, 0, 'the app never saw it');
});
