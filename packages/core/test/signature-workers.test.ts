// Assertion signatures checked off the main thread (assertionVerification): the same decisions
// in every mode, a queue that stays bounded under a burst, a worker failure answered on the main
// thread and replaced, and workers that end with auth.close() and never hold the process open.
// No timing is asserted: only who answered and what.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { once } from 'node:events';
import {
  createPomeriumAuth,
  PomeriumAuthError,
  type PomeriumAuthOptions,
} from '@pomerium-auth/core';
import {
  answeredSoFar,
  batchControl,
  checkBatch,
  claimProgressMessage,
  CONTROL_BYTES,
  readProgress,
  chooseVerification,
  cgroupCpuLimit,
  itemAnswer,
  PENDING,
  VERIFIED,
  writeItem,
  importVerificationKey,
  parseCheckedJws,
  SignatureWorkerPool,
  sharedSignatureWorkers,
  type SignatureWorkerPoolOptions,
  usableCores,
  type SignatureWorkerPoolStats,
  type VerificationKey,
} from '@pomerium-auth/core/internal';
import {
  assertionHeaders,
  createTestIssuer,
  serviceAccountHeaders,
  signJwt,
  type TestIssuer,
} from '@pomerium-auth/testing';
import { request, ROUTE_HOST } from './fixtures.js';

const require = createRequire(import.meta.url);
const MODES = ['main-thread', 'worker-threads', 'thread-pool', 'auto'] as const;

let es: TestIssuer;
let rs: TestIssuer;
let esKey: VerificationKey;
const now = () => Math.floor(Date.now() / 1000);

before(async () => {
  es = await createTestIssuer({ host: ROUTE_HOST });
  rs = await createTestIssuer({ host: ROUTE_HOST, alg: 'RS256' });
  esKey = importVerificationKey(es.keys[0]!.publicJwk);
});
after(async () => {
  await es.close();
  await rs.close();
});

function auth(mode: PomeriumAuthOptions['assertionVerification'], more: PomeriumAuthOptions = {}) {
  return createPomeriumAuth({
    env: false,
    issuer: ROUTE_HOST,
    audience: ROUTE_HOST,
    publicKeys: [es.keys[0]!.publicJwk, rs.keys[0]!.publicJwk],
    sharedSecret: es.sharedSecret,
    logger: { warn: () => undefined },
    assertionVerification: mode,
    ...more,
  });
}

/** A token whose signature is the real one with its last bytes changed. */
function tampered(token: string): string {
  const end = token.slice(-6) === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA';
  return token.slice(0, -6) + end;
}

/** The outcome of one request: who passed, or the refusal's reason. */
async function outcome(a: ReturnType<typeof auth>, token: string): Promise<string> {
  try {
    const identity = await a.authenticate(request(assertionHeaders(token)));
    return `pass ${identity?.user.id}`;
  } catch (err) {
    assert.ok(err instanceof PomeriumAuthError, `not a PomeriumAuthError: ${String(err)}`);
    return `${err.status} ${err.reason}`;
  }
}

/** Polls until `ready` holds, a turn of the event loop at a time (never a timing assertion). */
async function until(ready: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !ready(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(ready(), `gave up waiting until ${what}`);
}

/**
 * A pool of one worker, once that worker takes signatures: the pool's first signature starts it
 * and is checked on the main thread while it starts.
 */
async function startedPool(options: Partial<SignatureWorkerPoolOptions> = {}) {
  const pool = new SignatureWorkerPool({ threads: 1, maxPending: 64, ...options });
  const first = parseCheckedJws(es.mintAssertion());
  assert.equal(pool.check(first, [esKey]), true, 'checked here while the worker starts');
  await until(() => pool.stats().ready === 1, 'the worker is ready');
  return pool;
}

/** A pool whose one worker is ready and has answered a signature. */
async function readyPool(options: { maxPending?: number; warn?: (m: string) => void } = {}) {
  const pool = await startedPool(options);
  const answer = pool.check(parseCheckedJws(es.mintAssertion()), [esKey]);
  assert.ok(answer instanceof Promise, 'the worker takes signatures');
  assert.equal(await answer, true);
  return pool;
}

/** A {@link startedPool} whose worker is a stand-in running `script` (it must post 'ready'). */
function standInPool(script: string, warn?: (m: string) => void) {
  const url = new URL(`data:text/javascript,${encodeURIComponent(script)}`);
  return startedPool(warn ? { script: url, warn } : { script: url });
}

describe('where signatures are checked (assertionVerification)', () => {
  test("'auto' picks the main thread with one usable core and the workers with more", () => {
    assert.equal(
      chooseVerification('auto', () => 1),
      'main-thread',
    );
    assert.equal(
      chooseVerification('auto', () => 2),
      'worker-threads',
    );
    assert.equal(
      chooseVerification('main-thread', () => 8),
      'main-thread',
    );
    assert.equal(
      chooseVerification('worker-threads', () => 1),
      'worker-threads',
    );
    assert.equal(
      chooseVerification('thread-pool', () => 1),
      'worker-threads',
      'the old name',
    );
  });

  const cgroupV2 = (cpuMax: Record<string, string>, path = '/app.slice/web') => ({
    '/proc/self/cgroup': `0::${path}\n`,
    '/proc/self/mountinfo': '30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n',
    ...Object.fromEntries(
      Object.entries(cpuMax).map(([dir, value]) => [`/sys/fs/cgroup${dir}/cpu.max`, value]),
    ),
  });
  const cgroupV1 = (quota: string, period = '100000', root = '/') => ({
    '/proc/self/cgroup': '4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n',
    '/proc/self/mountinfo': `32 31 0:29 ${root} /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n`,
    [`/sys/fs/cgroup/cpu,cpuacct${root === '/' ? '/docker/abc' : ''}/cpu.cfs_quota_us`]: quota,
    [`/sys/fs/cgroup/cpu,cpuacct${root === '/' ? '/docker/abc' : ''}/cpu.cfs_period_us`]: period,
  });
  const limits: Array<[string, Record<string, string> | undefined, number | undefined]> = [
    ['no /proc (not Linux)', undefined, undefined],
    ['cgroup v2 without a quota', cgroupV2({ '/app.slice/web': 'max 100000\n' }), undefined],
    ['cgroup v2 with one CPU', cgroupV2({ '/app.slice/web': '100000 100000\n' }), 1],
    ['cgroup v2 with a quota on an ancestor', cgroupV2({ '/app.slice': '150000 100000' }), 1.5],
    [
      'cgroup v2, the smallest of the cgroup and its ancestors',
      cgroupV2({
        '': '800000 100000',
        '/app.slice': '400000 100000',
        '/app.slice/web': 'max 100000',
      }),
      4,
    ],
    ['cgroup v2 in a namespace (path /)', cgroupV2({ '': '50000 100000' }, '/'), 0.5],
    ['cgroup v1 without a quota (-1)', cgroupV1('-1'), undefined],
    ['cgroup v1 with two CPUs', cgroupV1('200000'), 2],
    [
      'cgroup v1 mounted at the container own cgroup',
      cgroupV1('50000', '100000', '/docker/abc'),
      0.5,
    ],
  ];
  for (const [name, files, expected] of limits) {
    test(`reads the CPU quota: ${name}`, () => {
      const read = (path: string) => files?.[path];
      assert.equal(cgroupCpuLimit(read), expected);
    });
  }

  test('usable cores: the CPUs it may run on, lowered to whole CPUs of the quota, at least one', () => {
    const quota = (cpus: string) => (path: string) =>
      ({
        '/proc/self/cgroup': '0::/\n',
        '/proc/self/mountinfo': '30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n',
        '/sys/fs/cgroup/cpu.max': cpus,
      })[path];
    assert.equal(usableCores(quota('max 100000'), 8), 8);
    assert.equal(usableCores(quota('150000 100000'), 8), 1, '1.5 CPUs: one core to keep busy');
    assert.equal(usableCores(quota('50000 100000'), 8), 1);
    assert.equal(usableCores(quota('400000 100000'), 8), 4);
    assert.equal(usableCores(quota('400000 100000'), 2), 2, 'affinity lower than the quota');
    assert.equal(
      usableCores(() => undefined, 3),
      3,
    );
  });

  test('refuses an unknown mode at construction, naming the option', () => {
    assert.throws(() => auth('worker' as 'auto'), { option: 'assertionVerification' });
  });
});

describe('the same decisions in every mode', () => {
  const rows: Array<[string, () => string]> = [
    ['a valid ES256 assertion', () => es.mintAssertion({ sub: 'es-user' })],
    ['a valid RS256 assertion', () => rs.mintAssertion({ sub: 'rs-user' })],
    ['a changed ES256 signature', () => tampered(es.mintAssertion())],
    ['a changed RS256 signature', () => tampered(rs.mintAssertion())],
    [
      "another user's payload under a real signature",
      () => {
        const [h, , s] = es.mintAssertion({ sub: 'alice' }).split('.');
        return `${h}.${es.mintAssertion({ sub: 'mallory' }).split('.')[1]}.${s}`;
      },
    ],
    ['an ES256 signature one byte short', () => es.mintAssertion().slice(0, -2)],
    ['a signature of four bytes', () => es.mintAssertion().replace(/\.[^.]+$/, '.MEUCIQ')],
    ['an empty signature', () => es.mintAssertion().replace(/\.[^.]+$/, '.')],
    [
      'a signature of 3000 bytes',
      () => es.mintAssertion().replace(/\.[^.]+$/, `.${'A'.repeat(4000)}`),
    ],
    ['an expired assertion', () => es.mintAssertion({}, { now: now() - 3600 })],
    ['an unknown kid', () => es.mintAssertion({}, { header: { kid: 'nobody' } })],
    [
      'alg none',
      () => signJwt({ alg: 'none', kid: es.keys[0]!.kid }, { sub: 'x', exp: now() + 60 }, null),
    ],
    [
      'an HS256 assertion signed with the shared secret',
      () =>
        signJwt(
          { alg: 'HS256', kid: es.keys[0]!.kid },
          { sub: 'x', iss: ROUTE_HOST, aud: ROUTE_HOST, exp: now() + 60 },
          es.sharedSecretBytes,
          { signingAlg: 'HS256' },
        ),
    ],
    [
      'an RS256 assertion naming the ES256 key',
      () => rs.mintAssertion({}, { header: { kid: es.keys[0]!.kid } }),
    ],
  ];

  test('every row, in every mode, while the workers start and once they run', async () => {
    const tokens = rows.map(([, mint]) => mint());
    const expected = await Promise.all(tokens.map((t) => outcome(auth('main-thread'), t)));
    assert.equal(expected[0], 'pass es-user');
    assert.equal(expected[1], 'pass rs-user');
    assert.equal(expected.filter((e) => e.startsWith('pass')).length, 2, expected.join(', '));
    for (const mode of MODES) {
      const a = auth(mode);
      // Twice: the first pass starts the workers (checked here meanwhile), the second runs on them.
      for (const round of [1, 2]) {
        const got = await Promise.all(tokens.map((t) => outcome(a, t)));
        rows.forEach(([name], i) =>
          assert.equal(got[i], expected[i], `${mode}, round ${round}: ${name}`),
        );
        const pool = sharedSignatureWorkers();
        if (pool && pool.stats().threads > 0) await until(() => pool.stats().ready > 0, 'ready');
      }
    }
    assert.ok(sharedSignatureWorkers()!.stats().offThread > 0, 'the workers answered some');
  });

  test('main-thread answers in the same turn; the workers answer with a promise', async () => {
    const token = () => es.mintAssertion({ sub: 'u' });
    const same = auth('main-thread').decide(request(assertionHeaders(token())));
    assert.ok(!(same instanceof Promise));
    assert.equal(same?.user.id, 'u');
    const a = auth('worker-threads');
    await a.authenticate(request(assertionHeaders(token())));
    await until(
      () => a.decide(request(assertionHeaders(token()))) instanceof Promise,
      'off-thread',
    );
    const later = a.decide(request(assertionHeaders(token())));
    assert.ok(later instanceof Promise);
    assert.equal((await later)?.user.id, 'u');
  });
});

describe('the worker pool', () => {
  test('a burst past maxPending is checked on the main thread: the queue never grows past it', async () => {
    const pool = await readyPool({ maxPending: 8 });
    try {
      const before = pool.stats();
      const good = parseCheckedJws(es.mintAssertion());
      const bad = parseCheckedJws(tampered(es.mintAssertion()));
      const answers: Array<boolean | Promise<boolean>> = [];
      let most = 0;
      for (let i = 0; i < 200; i++) {
        answers.push(pool.check(i % 3 === 0 ? bad : good, [esKey]));
        most = Math.max(most, pool.stats().pending);
      }
      assert.equal(most, 8, 'the queue filled up to its bound and no further');
      const queued = answers.filter((a) => a instanceof Promise).length;
      assert.equal(queued, 8);
      assert.equal(pool.stats().overflowed - before.overflowed, 192);
      const settled = await Promise.all(answers);
      settled.forEach((ok, i) => assert.equal(ok, i % 3 !== 0, `answer ${i}`));
      assert.equal(pool.stats().pending, 0);
    } finally {
      await pool.close();
    }
  });

  test('the worker writes each answer before it says so: progress counts only written answers', () => {
    const tokens = [es.mintAssertion(), tampered(es.mintAssertion()), es.mintAssertion()];
    const buffer = Buffer.from(new SharedArrayBuffer(16 * 1024));
    const control = batchControl(buffer);
    const offsets: number[] = [];
    let next = CONTROL_BYTES;
    for (const token of tokens) {
      const jws = parseCheckedJws(token);
      offsets.push(next);
      next = writeItem(buffer, next, jws.signingInput, jws.signatureText, [1]);
    }
    const keys = new Map([[1, { id: 1, alg: esKey.alg, key: esKey.key }]]);
    const seen: number[] = [];
    checkBatch(buffer, tokens.length, keys, (checked) => {
      seen.push(checked);
      assert.equal(answeredSoFar(control), checked, 'the count in the buffer says as much');
      offsets.forEach((offset, i) =>
        assert.equal(
          itemAnswer(buffer, offset) === PENDING,
          i >= checked,
          `item ${i} at ${checked}`,
        ),
      );
    });
    assert.deepEqual(seen, [1, 2, 3]);
    assert.deepEqual(
      offsets.map((o) => itemAnswer(buffer, o) === VERIFIED),
      [true, false, true],
    );
  });

  test('one progress message covers every answer written before the main thread reads it', () => {
    const tokens = Array.from({ length: 4 }, () => es.mintAssertion());
    const buffer = Buffer.from(new SharedArrayBuffer(16 * 1024));
    const control = batchControl(buffer);
    let next = CONTROL_BYTES;
    for (const token of tokens) {
      const jws = parseCheckedJws(token);
      next = writeItem(buffer, next, jws.signingInput, jws.signatureText, [1]);
    }
    const keys = new Map([[1, { id: 1, alg: esKey.alg, key: esKey.key }]]);
    // The worker's rule, with a main thread that reads its messages after the second answer.
    const posted: number[] = [];
    const read: number[] = [];
    checkBatch(buffer, tokens.length, keys, (checked) => {
      if (checked < tokens.length && claimProgressMessage(control)) posted.push(checked);
      if (checked === 2) read.push(readProgress(control));
    });
    // Posted after the first answer; the second found it unread; read after the second (it
    // reports two), so the third is posted again.
    assert.deepEqual(posted, [1, 3]);
    assert.deepEqual(read, [2]);
    assert.equal(readProgress(control), 4, 'the count covers the last answer too');
    assert.equal(claimProgressMessage(control), true, 'read: the next answer is posted');
    assert.equal(claimProgressMessage(control), false, 'unread: the next one is not');
  });

  test('a signature is answered as soon as the worker says it is checked, not with its whole batch', async () => {
    // A stand-in worker: it answers the first signature of a batch (writes VERIFIED, posts the
    // progress) and never finishes the batch. close() then checks the rest on the main thread.
    const script = `import { parentPort } from 'node:worker_threads';
      let buffer, control;
      parentPort.on('message', (m) => {
        if (m.buffer) [buffer, control] = [Buffer.from(m.buffer), new Int32Array(m.buffer, 0, 2)];
        buffer[${CONTROL_BYTES} + 7] = 1;
        Atomics.store(control, 0, 1);
        parentPort.postMessage(-1);
      });
      parentPort.postMessage('ready');`;
    const pool = await standInPool(script);
    const good = parseCheckedJws(es.mintAssertion());
    const bad = parseCheckedJws(tampered(es.mintAssertion()));
    const answers: Array<boolean | Promise<boolean>> = [];
    try {
      answers.push(...[good, bad, good].map((jws) => pool.check(jws, [esKey])));
      const settled: Array<boolean | undefined> = [undefined, undefined, undefined];
      answers.forEach((a, i) => void Promise.resolve(a).then((ok) => (settled[i] = ok)));
      await until(() => settled[0] !== undefined, 'the first signature is answered');
      assert.deepEqual(settled, [true, undefined, undefined], 'the rest wait for their own');
    } finally {
      // The stand-in never finishes a batch: close() ends it, whatever the test found.
      await pool.close();
    }
    assert.deepEqual(await Promise.all(answers), [true, false, true]);
    assert.equal(pool.stats().pending, 0);
    assert.equal(pool.stats().offThread, 1, 'the worker answered one; the main thread the others');
  });

  test('what a worker wrote before it ended stands, even unannounced; the rest is checked here', async () => {
    // A stand-in worker: it writes an answer for the first signature of a batch (REFUSED, so the
    // test can tell its answer from the main thread's) and the count, posts nothing, and ends.
    const script = `import { parentPort } from 'node:worker_threads';
      parentPort.on('message', (m) => {
        Buffer.from(m.buffer)[${CONTROL_BYTES} + 7] = 2;
        Atomics.store(new Int32Array(m.buffer, 0, 2), 0, 1);
        process.exit(3);
      });
      parentPort.postMessage('ready');`;
    const warnings: string[] = [];
    const pool = await standInPool(script, (m) => void warnings.push(m));
    const good = parseCheckedJws(es.mintAssertion());
    const bad = parseCheckedJws(tampered(es.mintAssertion()));
    try {
      const answers = await Promise.all([good, bad, good].map((jws) => pool.check(jws, [esKey])));
      assert.deepEqual(answers, [false, false, true], "the first is the worker's written answer");
      assert.equal(pool.stats().offThread, 1);
      assert.equal(pool.stats().pending, 0);
      assert.match(warnings.join('\n'), /a signature worker ended/);
    } finally {
      await pool.close();
    }
  });

  test('close() called while a batch is in flight resolves, and the code after it runs', async () => {
    // A stand-in worker: it answers a whole batch, says so with one progress message, and posts
    // the batch's count right behind it. The answers come with the first message, so the test
    // closes the pool before the pool has read the second.
    const script = `import { parentPort } from 'node:worker_threads';
      let shared;
      parentPort.on('message', (m) => {
        if (m.buffer) shared = m.buffer;
        const buffer = Buffer.from(shared);
        let at = ${CONTROL_BYTES};
        for (let n = 0; n < m.count; n++) {
          buffer[at + 7] = 1;
          const size = 8 + 4 * buffer[at + 6] + buffer.readUInt16LE(at + 4) + buffer.readUInt32LE(at);
          at += (size + 3) & ~3;
        }
        Atomics.store(new Int32Array(shared, 0, 2), 0, m.count);
        parentPort.postMessage(-1);
        parentPort.postMessage(m.count);
      });
      parentPort.postMessage('ready');`;
    const pool = await standInPool(script);
    const good = parseCheckedJws(es.mintAssertion());
    const answers = await Promise.all([good, good, good].map((jws) => pool.check(jws, [esKey])));
    assert.deepEqual(answers, [true, true, true]);
    // Nothing else holds the process open here: if the pool let go of its worker as the batch's
    // count arrived, the process would end before close() resolved.
    await pool.close();
    assert.equal(pool.stats().threads, 0);
  });

  test('signatures queued meanwhile leave together when the worker answers', async () => {
    const pool = await readyPool();
    try {
      const jws = parseCheckedJws(es.mintAssertion());
      const batches = pool.stats().batches;
      const answers = await Promise.all(Array.from({ length: 40 }, () => pool.check(jws, [esKey])));
      assert.ok(answers.every((a) => a === true));
      assert.ok(pool.stats().batches - batches < 40, 'fewer messages than signatures');
    } finally {
      await pool.close();
    }
  });

  test('a worker that fails answers its batch on the main thread, and a new one takes its place', async () => {
    const warnings: string[] = [];
    const pool = await readyPool({ warn: (m) => void warnings.push(m) });
    try {
      const good = parseCheckedJws(es.mintAssertion());
      const bad = parseCheckedJws(tampered(es.mintAssertion()));
      const [worker] = pool.workers();
      // A message the worker cannot take ends it (an uncaught error) before it reads the batch
      // queued behind it: the batch is in flight when the worker dies.
      worker!.postMessage({ count: 1, buffer: 5 });
      const answers = Array.from({ length: 10 }, (_, i) => pool.check(i % 2 ? bad : good, [esKey]));
      assert.ok(answers.every((a) => a instanceof Promise));
      const exited = new Promise((resolve) => worker!.once('exit', resolve));
      const settled = await Promise.all(answers);
      settled.forEach((ok, i) => assert.equal(ok, i % 2 === 0, `answer ${i}`));
      await exited;
      const stats: SignatureWorkerPoolStats = pool.stats();
      assert.equal(stats.failures, 1);
      assert.equal(stats.pending, 0);
      assert.match(warnings.join('\n'), /a signature worker ended/);
      // The next signature starts a new worker; once it runs, signatures go to it again.
      await until(() => pool.check(good, [esKey]) instanceof Promise, 'a new worker took one');
      assert.notEqual(pool.workers()[0], worker);
    } finally {
      await pool.close();
    }
  });

  test('workers that cannot start: every signature is checked on the main thread, and the pool stops trying', async () => {
    const warnings: string[] = [];
    const pool = new SignatureWorkerPool({
      threads: 2,
      maxPending: 16,
      script: new URL('data:text/javascript,throw new Error("no worker here")'),
      warn: (m) => void warnings.push(m),
    });
    const good = parseCheckedJws(es.mintAssertion());
    const bad = parseCheckedJws(tampered(es.mintAssertion()));
    await until(() => {
      assert.equal(pool.check(good, [esKey]), true);
      assert.equal(pool.check(bad, [esKey]), false);
      return pool.stats().stopped;
    }, 'the pool stopped');
    assert.equal(pool.stats().threads, 0);
    assert.equal(pool.stats().offThread, 0);
    assert.match(warnings.join('\n'), /signature workers cannot start \(no worker here\)/);
    await pool.close();
  });

  test('close() ends the workers and answers what they held; later signatures are checked here', async () => {
    const pool = await readyPool();
    const [worker] = pool.workers();
    const jws = parseCheckedJws(es.mintAssertion());
    const held = pool.check(jws, [esKey]);
    const exited = once(worker!, 'exit');
    await pool.close();
    await exited;
    assert.equal(await held, true);
    assert.equal(pool.stats().threads, 0);
    assert.equal(pool.check(jws, [esKey]), true, 'answered at once, on this thread');
  });
});

describe('auth.close() and the process', () => {
  test('an app that never sees an assertion starts no thread', async () => {
    // The earlier tests' pool goes: this authenticator gets a pool of its own.
    await sharedSignatureWorkers()?.close();
    const a = auth('worker-threads');
    const token = es.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' });
    for (let i = 0; i < 5; i++) await a.authenticate(request(serviceAccountHeaders(token)));
    assert.equal(sharedSignatureWorkers()?.stats().threads ?? 0, 0);
    await a.close();
  });

  test('the workers end when the last authenticator holding them is closed, and decisions go on', async () => {
    // The earlier tests' pool goes: these two authenticators are the only holders of the next.
    await sharedSignatureWorkers()?.close();
    const first = auth('worker-threads');
    const second = auth('worker-threads');
    await first.authenticate(request(assertionHeaders(es.mintAssertion())));
    const shared = sharedSignatureWorkers()!;
    await until(() => shared.stats().ready === 1, 'a worker is ready');
    const [worker] = shared.workers();
    const exited = once(worker!, 'exit');
    await first.close();
    await first.close();
    assert.equal(shared.stats().stopped, false, 'the second authenticator still holds them');
    await second.close();
    await exited;
    assert.equal(shared.stats().stopped, true);
    assert.equal(sharedSignatureWorkers(), undefined);
    const after = second.decide(request(assertionHeaders(es.mintAssertion({ sub: 'late' }))));
    assert.ok(!(after instanceof Promise), 'checked on the main thread, in the same turn');
    assert.equal(after?.user.id, 'late');
  });

  // A script whose only work is verification: once its worker is ready it either ends (nothing
  // must keep the process alive) or awaits one last verification on the worker with nothing else
  // to keep the event loop going (the worker must hold the process open for it, no longer).
  const ends = [
    ['once its worker is ready and idle', 'idle'],
    ['right after awaiting an answer from its worker', 'awaited'],
  ] as const;
  for (const format of ['esm', 'cjs'] as const)
    for (const [description, end] of ends) {
      test(`a process that never closes its authenticator exits by itself ${description} (${format})`, () => {
        const load = (specifier: string) =>
          format === 'esm'
            ? `await import(${JSON.stringify(require.resolve(specifier).replace('/cjs/', '/esm/'))})`
            : `require(${JSON.stringify(require.resolve(specifier))})`;
        const input = JSON.stringify({
          tokens: [es.mintAssertion({ sub: 'first' }), es.mintAssertion({ sub: 'last' })],
          key: es.keys[0]!.publicJwk,
        });
        const script = `(async () => {
          const { createPomeriumAuth } = ${load('@pomerium-auth/core')};
          const { sharedSignatureWorkers } = ${load('@pomerium-auth/core/internal')};
          const { tokens, key } = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
          const auth = createPomeriumAuth({ env: false, publicKeys: [key], assertionVerification: 'worker-threads' });
          const req = (t) => ({ method: 'GET', url: '/', headers: { 'x-pomerium-jwt-assertion': t } });
          console.log((await auth.authenticate(req(tokens[0]))).user.id);
          while (sharedSignatureWorkers().stats().ready === 0) await new Promise((r) => setTimeout(r, 5));
          if (${JSON.stringify(end)} === 'idle') return;
          const last = auth.decide(req(tokens[1]));
          console.log(last instanceof Promise ? 'off-thread' : 'on-thread', (await last).user.id);
        })();`;
        const child = spawnSync(process.execPath, ['-e', script], {
          input,
          encoding: 'utf8',
          timeout: 30_000,
        });
        assert.equal(child.error, undefined, 'the process exited by itself');
        assert.equal(child.status, 0, child.stderr);
        assert.deepEqual(
          child.stdout.trim().split('\n'),
          end === 'idle' ? ['first'] : ['first', 'off-thread last'],
        );
      });
    }
});
