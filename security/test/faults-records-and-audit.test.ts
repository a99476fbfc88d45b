// Records-source and audit-sink faults: a records source that goes down or serves garbage keeps
// its last good copy; an audit sink that throws, rejects or never answers changes nothing for
// the requests; revocation through records wins once a reload succeeds.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import {
  createPomeriumAuth,
  createRecordsSource,
  PomeriumAuthError,
  type AuditEvent,
} from '@pomerium-auth/core';
import { createTestIssuer, serviceAccountHeaders } from '@pomerium-auth/testing';
import { captureProcessWarnings } from './lib/process-warnings.js';
import { eventually, settle, sleep } from './lib/wait.js';

const quiet = { warn: () => undefined };
const issuer = await createTestIssuer();

/** A records server whose answer can be changed: a body, a status, or dropped connections. */
interface RecordsServer {
  url: string;
  hits: number;
  serve(answer: { status?: number; body?: string | Buffer; type?: string } | 'down'): void;
  close(): Promise<void>;
}

async function startRecordsServer(): Promise<RecordsServer> {
  let answer: { status?: number; body?: string | Buffer; type?: string } | 'down' = { body: '[]' };
  const sockets = new Set<Socket>();
  const state = { hits: 0 };
  const server: Server = createServer((req, res) => {
    state.hits++;
    if (answer === 'down') return void req.socket.destroy();
    res.writeHead(answer.status ?? 200, { 'content-type': answer.type ?? 'application/json' });
    res.end(answer.body ?? '');
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/service-accounts.json`,
    get hits() {
      return state.hits;
    },
    serve(next) {
      answer = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

const records = await startRecordsServer();
after(async () => {
  await records.close();
  await issuer.close();
});

/**
 * An authenticator reading service accounts (and the directory, with `directory: true`) from a
 * records source over the test server (`timeout` 200 ms, closed after the test), once the
 * source has loaded or given up; no cache, no audit.
 */
async function recordsAndAuth(
  polling: { minDelay: number; maxDelay: number; maxBytes?: number },
  more: { directory?: true } = {},
) {
  const source = createRecordsSource({
    url: records.url,
    timeout: 200,
    logger: quiet,
    ...polling,
  });
  after(() => source.close());
  await source.ready();
  return createPomeriumAuth({
    env: false,
    sharedSecret: issuer.sharedSecret,
    serviceAccounts: source,
    ...(more.directory ? { directory: source } : {}),
    cache: false,
    audit: false,
    logger: quiet,
  });
}

const GOOD = JSON.stringify([{ id: 'sa-1', user_id: 'bot', description: 'CI' }]);
const token = issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' });
const request = () => ({ method: 'GET', url: '/', headers: serviceAccountHeaders(token) });

describe('records source faults: the last good copy is kept', () => {
  test('down, failing or serving garbage after a good load, then a revocation once it recovers', async () => {
    records.serve({ body: GOOD });
    const auth = await recordsAndAuth({ minDelay: 0.03, maxDelay: 0.06 });
    assert.equal((await auth.authenticate(request()))?.user.serviceAccountId, 'sa-1');

    const faults: Array<Parameters<RecordsServer['serve']>[0]> = [
      'down',
      { status: 500, body: 'oops' },
      { status: 404 },
      { body: 'this is not JSON' },
      { body: '{"id":"sa-1"}' },
      { body: '[{"no_id":true}]' },
      { body: '[1,2,3]' },
      { body: gzipSync(GOOD).subarray(0, 20), type: 'application/gzip' },
      { body: 'id,user_id\n"unterminated', type: 'text/csv' },
    ];
    for (const fault of faults) {
      records.serve(fault);
      const before = records.hits;
      await eventually(
        () => records.hits >= before + 2,
        `two polls under ${JSON.stringify(fault)}`,
      );
      assert.equal(
        (await auth.authenticate(request()))?.user.id,
        'bot',
        `still passes under ${JSON.stringify(fault)}`,
      );
    }

    // Revocation: a good reload without the account refuses it (no cache: at once).
    records.serve({ body: JSON.stringify([{ id: 'sa-2', user_id: 'other' }]) });
    await eventually(
      async () => (await settle(auth.authenticate(request()))).error !== undefined,
      'the revocation to load',
    );
    const { error } = await settle(auth.authenticate(request()));
    assert.ok(error instanceof PomeriumAuthError);
    assert.equal(error.reason, 'unknown_service_account');
    assert.equal(error.status, 401);
  });

  test('a records source that never loaded answers 503, never a pass', async () => {
    records.serve('down');
    const auth = await recordsAndAuth({ minDelay: 0.05, maxDelay: 0.1 });
    const { error } = await settle(auth.authenticate(request()));
    assert.ok(error instanceof PomeriumAuthError);
    assert.deepEqual(
      [error.status, error.error, error.reason],
      [503, 'temporarily_unavailable', 'lookup_failed'],
    );
  });

  test('a lookup function that throws is 503 lookup_failed, never a pass', async () => {
    const auth = createPomeriumAuth({
      env: false,
      sharedSecret: issuer.sharedSecret,
      serviceAccounts: () => {
        throw new Error('db down');
      },
      cache: false,
      audit: false,
      logger: quiet,
    });
    const { error } = await settle(auth.authenticate(request()));
    assert.ok(error instanceof PomeriumAuthError);
    assert.deepEqual(
      [error.status, error.error, error.reason],
      [503, 'temporarily_unavailable', 'lookup_failed'],
    );
    assert.equal(error.headers['Retry-After'], '5');
    assert.ok(
      !JSON.stringify(error.toJSON()).includes('db down'),
      'internal detail never reaches the client',
    );
  });
});

/**
 * A .tar.gz made by the tar command from these files (a string is a file, `{ link }` a symbolic
 * link), or `undefined` when the machine has no tar command.
 */
function tarGz(files: Record<string, string | { link: string }>): Buffer | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'records-fault-'));
  try {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(join(dir, 'in', path, '..'), { recursive: true });
      if (typeof content === 'string') writeFileSync(join(dir, 'in', path), content);
      else symlinkSync(content.link, join(dir, 'in', path));
    }
    const made = spawnSync('tar', ['-czf', join(dir, 'out.tgz'), '-C', join(dir, 'in'), '.']);
    if (made.error) return undefined;
    assert.equal(made.status, 0, String(made.stderr));
    return readFileSync(join(dir, 'out.tgz'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('records archive faults: the last good copy is kept', () => {
  test('an archive turned hostile or broken keeps serving the last good one; an archive without the accounts is 503; a good one without the account revokes it', async (t) => {
    const good = tarGz({
      'service-accounts.json': GOOD,
      'directory/users.csv': 'id,email\nbot,bot@x.io\n',
    });
    if (good === undefined) return t.skip('no tar command');
    records.serve({ body: good, type: 'application/gzip' });
    const auth = await recordsAndAuth(
      { minDelay: 0.03, maxDelay: 0.06, maxBytes: 1_000_000 },
      { directory: true },
    );
    assert.equal((await auth.authenticate(request()))?.user.email, 'bot@x.io');

    const faults: Array<[string, Buffer]> = [
      ['a gzip bomb', gzipSync(Buffer.alloc(20_000_000))],
      ['a truncated archive', good.subarray(0, Math.floor(good.length / 2))],
      [
        'a symbolic link in place of the accounts',
        tarGz({ 'service-accounts.json': { link: '/etc/passwd' } })!,
      ],
      [
        'two names of the directory',
        tarGz({
          'service-accounts.json': GOOD,
          'users.csv': 'id\nx\n',
          'directory/users.csv': 'id\ny\n',
        })!,
      ],
      ['accounts that are not records', tarGz({ 'service-accounts.json': '{"id":"sa-1"}' })!],
    ];
    for (const [name, body] of faults) {
      records.serve({ body, type: 'application/gzip' });
      const before = records.hits;
      await eventually(() => records.hits >= before + 2, `two polls of ${name}`);
      assert.equal(
        (await auth.authenticate(request()))?.user.id,
        'bot',
        `still passes with ${name}`,
      );
    }

    // A good archive without any service-account records: missing, not revoked (503).
    records.serve({
      body: tarGz({ 'directory/users.csv': 'id,email\nbot,bot@x.io\n' })!,
      type: 'application/gzip',
    });
    await eventually(
      async () => (await settle(auth.authenticate(request()))).error !== undefined,
      'the archive without accounts to load',
    );
    const missing = (await settle(auth.authenticate(request()))).error;
    assert.ok(missing instanceof PomeriumAuthError);
    assert.deepEqual([missing.status, missing.reason], [503, 'lookup_failed']);

    // A good archive whose accounts no longer hold sa-1: revoked (401).
    records.serve({
      body: tarGz({ 'service-accounts.json': '[]', 'directory/users.csv': 'id\nbot\n' })!,
      type: 'application/gzip',
    });
    await eventually(
      async () =>
        ((await settle(auth.authenticate(request()))).error as PomeriumAuthError)?.status === 401,
      'the revocation to load',
    );
    const { error } = await settle(auth.authenticate(request()));
    assert.equal((error as PomeriumAuthError).reason, 'unknown_service_account');
  });
});

describe('audit sink faults: requests are unaffected', () => {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown): void => void rejections.push(reason);
  process.on('unhandledRejection', onRejection);
  after(() => {
    process.off('unhandledRejection', onRejection);
  });

  const sinks: Array<[string, (e: AuditEvent) => unknown]> = [
    [
      'throws',
      () => {
        throw new Error('sink exploded');
      },
    ],
    ['rejects', () => Promise.reject(new Error('sink rejected'))],
    ['never settles', () => new Promise(() => undefined)],
    ['is slow', () => sleep(2_000)],
  ];
  for (const [name, sink] of sinks) {
    test(`a sink that ${name}`, async () => {
      const reported: string[] = [];
      const auth = createPomeriumAuth({
        env: false,
        sharedSecret: issuer.sharedSecret,
        audit: sink,
        logger: { warn: (m) => reported.push(m) },
        impersonation: { grants: [{ initiators: ['bot'], targets: ['user_*'] }] },
      });
      for (let i = 0; i < 50; i++) {
        assert.equal((await auth.authenticate(request()))?.user.id, 'bot');
        assert.equal(
          (
            await auth.authenticate({
              ...request(),
              headers: { ...serviceAccountHeaders(token), 'impersonate-user': 'user_1' },
            })
          )?.user.id,
          'user_1',
        );
        const denied = await settle(
          auth.authenticate({
            ...request(),
            headers: { ...serviceAccountHeaders(token), 'impersonate-user': 'root' },
          }),
        );
        assert.equal((denied.error as PomeriumAuthError).reason, 'not_allowed');
        const bad = await settle(
          auth.authenticate({
            method: 'GET',
            url: '/',
            headers: { authorization: 'Pomerium a.b.c' },
          }),
        );
        assert.equal((bad.error as PomeriumAuthError).status, 401);
      }
      await sleep(20);
      assert.deepEqual(rejections, [], 'no unhandled rejection');
      const failures = reported.filter((w) => w.includes('audit sink failed'));
      // 200 events each: a failing sink is reported once, through the logger; a slow one never.
      assert.equal(
        failures.length,
        name === 'throws' || name === 'rejects' ? 1 : 0,
        failures.join('\n'),
      );
    });
  }

  test('a pino-style logger whose methods throw', async () => {
    const auth = createPomeriumAuth({
      env: false,
      sharedSecret: issuer.sharedSecret,
      logger: quiet,
      audit: {
        info: () => {
          throw new Error('info');
        },
        warn: () => {
          throw new Error('warn');
        },
      },
    });
    assert.equal((await auth.authenticate(request()))?.user.id, 'bot');
    const bad = await settle(auth.authenticate({ method: 'GET', url: '/', headers: {} }));
    assert.equal((bad.error as PomeriumAuthError).status, 401);
    await sleep(20);
    assert.deepEqual(rejections, []);
  });

  test('without a logger, a failing sink is reported once with a process warning', async (t) => {
    const warnings = captureProcessWarnings(t);
    const auth = createPomeriumAuth({
      env: false,
      sharedSecret: issuer.sharedSecret,
      audit: () => {
        throw new Error('sink exploded');
      },
    });
    for (let i = 0; i < 5; i++) await auth.authenticate(request());
    await sleep(20);
    assert.deepEqual(
      warnings.map((w) => [w.name, w.message]),
      [
        [
          'PomeriumAuthWarning',
          'pomerium-auth: the audit sink failed (sink exploded); further failures are not reported',
        ],
      ],
    );
  });
});
