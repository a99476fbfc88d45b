import { test, describe, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createRecordsSource,
  directoryLookup,
  isRecordsSource,
  namespaceLookup,
  PomeriumAuthConfigError,
  serviceAccountLookup,
  type RawRecord,
  type RecordsSource,
  type RecordsSourceOptions,
} from '@pomerium-auth/core';
import { replaceFile, sourceOpener, waitFor } from './records-fixtures.js';

// ---------------------------------------------------------------------------------------------
// Fixtures: a loopback HTTP server whose routes the tests set, sources closed after the run.

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface Seen {
  path: string;
  headers: IncomingMessage['headers'];
}

const routes = new Map<string, Handler>();
const seen: Seen[] = [];
let server: Server;
let base: string;
const opener = sourceOpener();
const open = opener.open;
let tmp: string;

before(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    seen.push({ path, headers: req.headers });
    const handler = routes.get(path);
    if (handler) handler(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  tmp = await mkdtemp(join(tmpdir(), 'records-source-'));
});

after(async () => {
  opener.closeAll();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(tmp, { recursive: true, force: true });
});

function requestsTo(path: string): Seen[] {
  return seen.filter((s) => s.path === path);
}

function serve(
  path: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
  status = 200,
): void {
  routes.set(path, (_req, res) => {
    res.writeHead(status, headers).end(body);
  });
}

const JSON_TYPE = { 'content-type': 'application/json' };
const fast = { minDelay: 0.02, maxDelay: 0.05 };

// ---------------------------------------------------------------------------------------------

describe('createRecordsSource over HTTP', () => {
  test('loads a JSON array of objects with an id, and turns numeric ids into strings', async () => {
    serve(
      '/users.json',
      JSON.stringify([
        { id: 'u1', email: 'a@x.io' },
        { id: 7, email: 'b@x.io' },
      ]),
    );
    const { source, warnings } = open({ url: `${base}/users.json`, ...fast });
    assert.equal(source.kind, 'records-source');
    await source.ready();
    assert.equal(source.version, 1);
    assert.deepEqual(source.get('u1'), { id: 'u1', email: 'a@x.io' });
    assert.deepEqual(source.get('7'), { id: '7', email: 'b@x.io' });
    assert.equal(source.get('u2'), undefined);
    assert.deepEqual(
      source.all().map((r) => r.id),
      ['u1', '7'],
    );
    assert.ok(Object.isFrozen(source.get('u1')));
    assert.deepEqual(warnings, []);
  });

  test('loads CSV by Content-Type: quoted fields, doubled quotes, commas and line breaks inside quotes, CRLF', async () => {
    const csv =
      '\uFEFFid,name,note\r\nu1,"Smith, Jo","said ""hi"""\r\nu2,Ann,"two\nlines"\r\n\r\nu3,,\r\n';
    serve('/people', csv, { 'content-type': 'text/csv; charset=utf-8' });
    const { source, warnings } = open({ url: `${base}/people`, ...fast });
    await source.ready();
    assert.deepEqual(source.all(), [
      { id: 'u1', name: 'Smith, Jo', note: 'said "hi"' },
      { id: 'u2', name: 'Ann', note: 'two\nlines' },
      { id: 'u3', name: '', note: '' },
    ]);
    assert.deepEqual(warnings, []);
  });

  test('tells the format by the extension, and gunzips by magic bytes (.csv.gz, and gzip without any hint)', async () => {
    serve('/accounts.csv.gz', gzipSync('id,user_id\nsa1,bob\n'), {
      'content-type': 'application/gzip',
    });
    serve('/blob', gzipSync(JSON.stringify([{ id: 'x', v: 1 }])), {
      'content-type': 'application/octet-stream',
    });
    const csv = open({ url: `${base}/accounts.csv.gz`, ...fast });
    const blob = open({ url: `${base}/blob`, ...fast });
    await Promise.all([csv.source.ready(), blob.source.ready()]);
    assert.deepEqual(csv.source.get('sa1'), { id: 'sa1', user_id: 'bob' });
    assert.deepEqual(blob.source.get('x'), { id: 'x', v: 1 });
    assert.deepEqual([...csv.warnings, ...blob.warnings], []);
  });

  test('the format option wins over the extension', async () => {
    serve('/misnamed.json', 'id,k\nr1,v\n');
    const { source } = open({ url: `${base}/misnamed.json`, format: 'csv', ...fast });
    await source.ready();
    assert.deepEqual(source.get('r1'), { id: 'r1', k: 'v' });
  });

  test('sends the configured headers', async () => {
    serve('/private.json', '[{"id":"p"}]', JSON_TYPE);
    const { source } = open({
      url: `${base}/private.json`,
      headers: { authorization: 'Bearer data-token' },
      ...fast,
    });
    await source.ready();
    assert.equal(requestsTo('/private.json')[0]?.headers.authorization, 'Bearer data-token');
    assert.equal(source.version, 1);
  });

  test('sends If-None-Match with the last ETag, keeps the copy on 304, and takes a new copy when the data changes', async () => {
    let data = { etag: '"v1"', body: '[{"id":"a","n":1}]' };
    routes.set('/etag.json', (req, res) => {
      if (req.headers['if-none-match'] === data.etag) res.writeHead(304).end();
      else res.writeHead(200, { etag: data.etag, ...JSON_TYPE }).end(data.body);
    });
    const { source, warnings } = open({ url: `${base}/etag.json`, ...fast });
    await source.ready();
    assert.equal(source.version, 1);
    await waitFor(() => requestsTo('/etag.json').length >= 3, 'two more polls');
    const requests = requestsTo('/etag.json');
    assert.equal(requests[0]?.headers['if-none-match'], undefined);
    assert.equal(requests[1]?.headers['if-none-match'], '"v1"');
    assert.equal(requests[2]?.headers['if-none-match'], '"v1"');
    assert.equal(source.version, 1, 'a 304 is not a new copy');
    assert.deepEqual(source.get('a'), { id: 'a', n: 1 });

    data = { etag: '"v2"', body: '[{"id":"a","n":2},{"id":"b"}]' };
    await waitFor(() => source.version === 2, 'the new copy');
    assert.deepEqual(source.get('a'), { id: 'a', n: 2 });
    assert.deepEqual(source.get('b'), { id: 'b' });
    assert.deepEqual(warnings, []);
  });

  test('a 200 with the same ETag, or the same bytes, is not a new copy', async () => {
    serve('/same-etag.json', '[{"id":"a"}]', { etag: 'W/"same"', ...JSON_TYPE });
    serve('/same-bytes.json', '[{"id":"a"}]', JSON_TYPE);
    const etag = open({ url: `${base}/same-etag.json`, ...fast });
    const bytes = open({ url: `${base}/same-bytes.json`, ...fast });
    await waitFor(
      () => requestsTo('/same-etag.json').length >= 3 && requestsTo('/same-bytes.json').length >= 3,
      'three requests each',
    );
    assert.equal(etag.source.version, 1);
    assert.equal(bytes.source.version, 1);
  });

  test('keeps the last good copy and logs when the endpoint answers 500', async () => {
    let failing = false;
    routes.set('/flaky.json', (_req, res) => {
      if (failing) res.writeHead(500).end('boom');
      else res.writeHead(200, JSON_TYPE).end('[{"id":"keep"}]');
    });
    const { source, warnings } = open({ url: `${base}/flaky.json`, ...fast });
    await source.ready();
    failing = true;
    await waitFor(() => warnings.length >= 2, 'two warnings');
    assert.match(warnings[0]!, /HTTP 500/);
    assert.match(warnings[0]!, /keeping the last good copy \(1 records\)/);
    assert.ok(warnings[0]!.includes(`${base}/flaky.json`));
    assert.equal(source.version, 1);
    assert.deepEqual(source.get('keep'), { id: 'keep' });
  });

  test('keeps the last good copy and logs when the payload is garbage', async () => {
    const bodies: Array<[string, RegExp]> = [
      ['not json at all {', /not valid JSON/],
      ['{"id":"x"}', /array/],
      ['[{"id":"ok"},{"name":"no id"}]', /record 1 has no string "id"/],
      ['[{"id":""}]', /empty "id"/],
      ['[{"id":"ok"}, 3]', /record 1 is not an object/],
      ['[{"id":{"nested":true}}]', /record 0 has no string "id"/],
    ];
    let body = '[{"id":"good"}]';
    routes.set('/garbage.json', (_req, res) => res.writeHead(200, JSON_TYPE).end(body));
    const { source, warnings } = open({ url: `${base}/garbage.json`, ...fast });
    await source.ready();
    assert.equal(source.version, 1);
    for (const [garbage, reason] of bodies) {
      body = garbage;
      const count = warnings.length;
      await waitFor(() => warnings.length > count, `a warning for ${garbage}`);
      assert.match(warnings.at(-1)!, reason);
      assert.equal(source.version, 1);
      assert.deepEqual(source.all(), [{ id: 'good' }]);
    }
  });

  test('refuses CSV without an id column, with a ragged row, or with an unterminated quote', async () => {
    const bodies: Array<[string, RegExp]> = [
      ['name,email\nann,a@x.io\n', /no "id" column/],
      ['id,name\nu1,ann,extra\n', /row 2 has 3 fields/],
      ['id,name\nu1,"ann\n', /unterminated/],
      ['id,name\nu1,"ann"x\n', /after a closing quote/],
      ['id,id\nu1,u2\n', /twice/],
      ['id,name\n,ann\n', /empty "id"/],
    ];
    let body = 'id,name\nu1,ann\n';
    routes.set('/garbage.csv', (_req, res) => res.writeHead(200).end(body));
    const { source, warnings } = open({ url: `${base}/garbage.csv`, ...fast });
    await source.ready();
    assert.deepEqual(source.all(), [{ id: 'u1', name: 'ann' }]);
    for (const [garbage, reason] of bodies) {
      body = garbage;
      const count = warnings.length;
      await waitFor(() => warnings.length > count, `a warning for ${JSON.stringify(garbage)}`);
      assert.match(warnings.at(-1)!, reason);
      assert.deepEqual(source.all(), [{ id: 'u1', name: 'ann' }]);
    }
  });

  test('keeps the last good copy when the server goes away (connection refused)', async () => {
    const own = createServer((_req, res) =>
      res.writeHead(200, JSON_TYPE).end('[{"id":"still-here"}]'),
    );
    await new Promise<void>((resolve) => own.listen(0, '127.0.0.1', resolve));
    const { port } = own.address() as AddressInfo;
    const { source, warnings } = open({ url: `http://127.0.0.1:${port}/x.json`, ...fast });
    await source.ready();
    assert.equal(source.version, 1);
    own.closeAllConnections();
    await new Promise<void>((resolve) => own.close(() => resolve()));
    // A poll racing the shutdown may see "other side closed" first; the next ones are refused.
    await waitFor(() => warnings.some((w) => /ECONNREFUSED/.test(w)), 'a refused connection');
    assert.match(warnings.at(-1)!, /keeping the last good copy \(1 records\)/);
    assert.deepEqual(source.get('still-here'), { id: 'still-here' });
    assert.equal(source.version, 1);
  });

  test('ready() resolves, never rejects, when the first load fails; the source is then empty', async () => {
    const { source, warnings } = open({ url: `${base}/missing.json`, ...fast });
    await source.ready();
    assert.equal(source.version, 0);
    assert.deepEqual(source.all(), []);
    assert.equal(source.get('anything'), undefined);
    assert.match(warnings[0]!, /HTTP 404; no records loaded yet/);
  });

  test('abandons a request that takes longer than timeout (headers, or a stalled body)', async () => {
    routes.set('/slow-headers.json', () => {
      // never answers
    });
    routes.set('/slow-body.json', (_req, res) => {
      res.writeHead(200, JSON_TYPE);
      res.write('[{"id":');
      // never ends
    });
    const started = Date.now();
    const headers = open({ url: `${base}/slow-headers.json`, timeout: 100, minDelay: 60 });
    const body = open({ url: `${base}/slow-body.json`, timeout: 100, minDelay: 60 });
    await Promise.all([headers.source.ready(), body.source.ready()]);
    assert.ok(Date.now() - started < 2000, 'ready() came after the timeout, not after the server');
    assert.match(headers.warnings[0]!, /timed out after 100 ms/);
    assert.match(body.warnings[0]!, /timed out after 100 ms/);
    assert.equal(headers.source.version, 0);
  });

  test('refuses a body, or a decompressed payload, larger than maxBytes', async () => {
    const big = JSON.stringify([{ id: 'a', pad: 'x'.repeat(5000) }]);
    serve('/big.json', big, JSON_TYPE);
    serve('/bomb', gzipSync(Buffer.alloc(1_000_000, 0x20)));
    const plain = open({ url: `${base}/big.json`, maxBytes: 1000, ...fast });
    const bomb = open({ url: `${base}/bomb`, maxBytes: 10_000, ...fast });
    await Promise.all([plain.source.ready(), bomb.source.ready()]);
    assert.match(plain.warnings[0]!, /larger than maxBytes/);
    assert.match(bomb.warnings[0]!, /decompressed payload larger than maxBytes/);
    assert.equal(plain.source.version, 0);
    assert.equal(bomb.source.version, 0);
  });

  test('sends credentials of the URL as Basic authentication, and never logs them or the query', async () => {
    routes.set('/basic.json?token=secret', (req, res) => {
      res
        .writeHead(200, JSON_TYPE)
        .end(JSON.stringify([{ id: 'auth', got: req.headers.authorization }]));
    });
    const good = open({
      url: `http://us%20er:p%40ss@127.0.0.1:${new URL(base).port}/basic.json?token=secret`,
      ...fast,
    });
    await good.source.ready();
    assert.deepEqual(good.source.get('auth'), {
      id: 'auth',
      got: `Basic ${Buffer.from('us er:p@ss').toString('base64')}`,
    });

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const bad = open({
      url: `http://user:pw@127.0.0.1:${port}/x.json?token=secret`,
      timeout: 500,
      ...fast,
    });
    await bad.source.ready();
    assert.equal(bad.warnings.length, 1);
    assert.match(bad.warnings[0]!, /ECONNREFUSED/);
    assert.doesNotMatch(bad.warnings[0]!, /secret|pw|user/);
  });

  test('close() stops polling', async () => {
    serve('/closed.json', '[{"id":"a"}]', JSON_TYPE);
    const { source } = open({ url: `${base}/closed.json`, minDelay: 0.01, maxDelay: 0.01 });
    await source.ready();
    await waitFor(() => requestsTo('/closed.json').length >= 2, 'a second poll');
    source.close();
    const count = requestsTo('/closed.json').length;
    await sleep(100);
    assert.equal(requestsTo('/closed.json').length, count);
    assert.deepEqual(source.get('a'), { id: 'a' }, 'the copy stays readable after close');
  });
});

describe('createRecordsSource from a file', () => {
  test('loads a JSON file, sees it change after a poll, and keeps the copy when it turns to garbage', async () => {
    const path = join(tmp, 'accounts.json');
    await replaceFile(path, JSON.stringify([{ id: 'sa1', user_id: 'bob' }]));
    const { source, warnings } = open({ url: path, minDelay: 0.02, maxDelay: 0.05 });
    await source.ready();
    assert.equal(source.version, 1);
    assert.deepEqual(source.get('sa1'), { id: 'sa1', user_id: 'bob' });

    await replaceFile(path, JSON.stringify([{ id: 'sa2', user_id: 'carol' }]));
    await waitFor(() => source.version === 2, 'the new version');
    assert.equal(source.get('sa1'), undefined);
    assert.deepEqual(source.get('sa2'), { id: 'sa2', user_id: 'carol' });

    // Same bytes rewritten: not a new copy.
    await replaceFile(path, JSON.stringify([{ id: 'sa2', user_id: 'carol' }]));
    await sleep(150);
    assert.equal(source.version, 2);

    await replaceFile(path, '[{"user_id":"no id"}]');
    await waitFor(() => warnings.length >= 1, 'a warning');
    assert.match(warnings[0]!, /record 0 has no string "id"/);
    assert.ok(warnings[0]!.includes(path));
    assert.deepEqual(source.get('sa2'), { id: 'sa2', user_id: 'carol' });
    assert.equal(source.version, 2);
  });

  test('reads a gzip-compressed CSV file through a file:// URL', async () => {
    const path = join(tmp, 'users.csv.gz');
    await replaceFile(path, gzipSync('id,email,groups\nu1,ann@x.io,"a;b"\n'));
    const { source, warnings } = open({ url: pathToFileURL(path).href, ...fast });
    await source.ready();
    assert.deepEqual(source.get('u1'), { id: 'u1', email: 'ann@x.io', groups: 'a;b' });
    assert.deepEqual(warnings, []);
  });

  test('a missing file is a logged failure, and is picked up once it appears', async () => {
    const path = join(tmp, 'later.json');
    const { source, warnings } = open({ url: path, ...fast });
    await source.ready();
    assert.equal(source.version, 0);
    assert.match(warnings[0]!, /ENOENT/);
    await replaceFile(path, '[{"id":"late"}]');
    await waitFor(() => source.version === 1, 'the file to be loaded', 6000);
    assert.deepEqual(source.get('late'), { id: 'late' });
  });

  test('never keeps the process alive', () => {
    const script = `
      import { createRecordsSource } from '@pomerium-auth/core';
      const s = createRecordsSource({ url: ${JSON.stringify(join(tmp, 'nothing-here.json'))}, minDelay: 3600, logger: { warn() {} } });
      s.ready().then(() => console.log('ready'));
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      timeout: 10_000,
      encoding: 'utf8',
    });
    assert.equal(result.error, undefined);
    assert.equal(result.signal, null, 'the child had to be killed');
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), 'ready');
  });
});

describe('createRecordsSource from code, and its options', () => {
  test('records from code: ready at once, version 1, and the last of equal ids wins', async () => {
    const source = createRecordsSource({
      records: [
        { id: 'a', n: 1 },
        { id: 'b', n: 1 },
        { id: 'a', n: 2 },
      ],
    });
    await source.ready();
    assert.equal(source.version, 1);
    assert.deepEqual(source.get('a'), { id: 'a', n: 2 });
    assert.deepEqual(
      source.all().map((r) => r.id),
      ['b', 'a'],
    );
    source.close();
  });

  test('a CSV column named __proto__ is a plain field', async () => {
    const source = createRecordsSource({ records: [] });
    assert.equal(source.all().length, 0);
    serve('/proto.csv', 'id,__proto__\nu1,{}\n');
    const { source: csv, warnings } = open({ url: `${base}/proto.csv`, ...fast });
    await csv.ready();
    assert.deepEqual(warnings, []);
    const record = csv.get('u1')!;
    assert.equal(Object.getPrototypeOf(record), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(record, '__proto__')?.value, '{}');
  });

  const invalid: Array<[string, unknown, string, RegExp]> = [
    ['neither records nor url', {}, 'records', /exactly one of "records" and "url"/],
    ['both records and url', { records: [], url: '/x.json' }, 'url', /exactly one/],
    [
      'records without an id',
      { records: [{ name: 'x' }] },
      'records',
      /record 0 has no string "id"/,
    ],
    ['records not an array', { records: { id: 'x' } }, 'records', /must be an array/],
    ['a negative minDelay', { url: '/x.json', minDelay: -1 }, 'minDelay', /positive/],
    [
      'maxDelay below minDelay',
      { url: '/x.json', minDelay: 10, maxDelay: 5 },
      'maxDelay',
      /less than "minDelay"/,
    ],
    ['a zero timeout', { url: 'http://x/y', timeout: 0 }, 'timeout', /positive/],
    ['a timeout no timer can hold', { url: 'http://x/y', timeout: 2 ** 31 }, 'timeout', /at most/],
    ['an infinite maxBytes', { url: 'http://x/y', maxBytes: Infinity }, 'maxBytes', /positive/],
    ['an unknown format', { url: '/x', format: 'xml' }, 'format', /"json" or "csv"/],
    ['an unsupported scheme', { url: 'ftp://host/x.csv' }, 'url', /scheme "ftp"/],
    ['an empty foreignKey', { records: [], foreignKey: '' }, 'foreignKey', /non-empty string/],
    ['a foreignKey that is not a string', { url: '/x', foreignKey: 7 }, 'foreignKey', /non-empty/],
    ['a backoff below 1', { url: '/x', backoff: 0.5 }, 'backoff', /at least 1/],
    ['a backoff that is not a number', { url: '/x', backoff: '2' }, 'backoff', /positive/],
    // Headers would otherwise fail every load, so the source would never load at all.
    ['headers that are not an object', { url: 'https://x/y', headers: 'x' }, 'headers', /object/],
    [
      'a header name that is no token',
      { url: 'https://x/y', headers: { 'bad header': 'v' } },
      'headers.bad header',
      /not a valid HTTP header/,
    ],
    [
      'a header value holding a line break',
      { url: 'https://x/y', headers: { authorization: 'Bearer a\r\nx-evil: 1' } },
      'headers.authorization',
      /no CR, LF or NUL/,
    ],
    [
      'a header value that is not a string',
      { url: 'https://x/y', headers: { 'x-n': 5 } },
      'headers.x-n',
      /must be a string/,
    ],
    ['a logger without warn()', { url: '/x', logger: {} }, 'logger', /warn\(\)/],
    ['a misspelt option', { url: '/x', minDelays: 5 }, 'minDelays', /not a known option/],
  ];
  for (const [name, options, option, message] of invalid) {
    test(`throws a PomeriumAuthConfigError naming the option at construction for ${name}`, () => {
      assert.throws(
        () => createRecordsSource(options as RecordsSourceOptions),
        (err: unknown) => {
          assert.ok(err instanceof PomeriumAuthConfigError);
          assert.equal(err.option, option);
          assert.match(err.message, message);
          return true;
        },
      );
    });
  }
});

// ---------------------------------------------------------------------------------------------

describe('isRecordsSource', () => {
  test('tells a source from a lookup function and other values', () => {
    const source = createRecordsSource({ records: [] });
    assert.equal(isRecordsSource(source), true);
    assert.equal(
      isRecordsSource(() => null),
      false,
    );
    assert.equal(isRecordsSource(null), false);
    assert.equal(isRecordsSource({ kind: 'records-source' }), false);
    assert.equal(isRecordsSource({ kind: 'other', get() {}, all() {} }), false);
  });
});

describe('serviceAccountLookup', () => {
  const records = [
    {
      id: 'sa-iso',
      user_id: 'bob',
      expires_at: '2030-01-02T03:04:05Z',
      namespace_id: 'ns1',
      description: 'CI',
    },
    { id: 'sa-camel', userId: 'carol', expiresAt: 1893456000, namespace: 'ns2' },
    { id: 'sa-ms', user_id: 'dan', expires_at: 1893456000123 },
    { id: 'sa-csv-seconds', user_id: 'eve', expires_at: '1893456000' },
    { id: 'sa-never', user_id: 'fay', expires_at: '' },
    { id: 'sa-go-zero', user_id: 'gus', expires_at: '0001-01-01T00:00:00Z' },
    { id: 'sa-zero', user_id: 'hal', expires_at: 0 },
    { id: 'sa-no-zone', user_id: 'ida', expires_at: '2030-01-02 03:04:05' },
    { id: 'sa-bad-expiry', user_id: 'joe', expires_at: 'soon' },
    { id: 'sa-no-user', expires_at: '2030-01-01T00:00:00Z' },
    { id: 'sa-empty-user', user_id: '' },
  ] as unknown as RawRecord[];
  const lookup = serviceAccountLookup(createRecordsSource({ records }));

  const cases: Array<[string, unknown]> = [
    [
      'sa-iso',
      {
        id: 'sa-iso',
        userId: 'bob',
        expiresAt: new Date('2030-01-02T03:04:05Z'),
        namespace: 'ns1',
        description: 'CI',
      },
    ],
    [
      'sa-camel',
      { id: 'sa-camel', userId: 'carol', expiresAt: new Date(1893456000 * 1000), namespace: 'ns2' },
    ],
    ['sa-ms', { id: 'sa-ms', userId: 'dan', expiresAt: new Date(1893456000123) }],
    [
      'sa-csv-seconds',
      { id: 'sa-csv-seconds', userId: 'eve', expiresAt: new Date(1893456000 * 1000) },
    ],
    ['sa-never', { id: 'sa-never', userId: 'fay' }],
    ['sa-go-zero', { id: 'sa-go-zero', userId: 'gus' }],
    ['sa-zero', { id: 'sa-zero', userId: 'hal' }],
    [
      'sa-no-zone',
      { id: 'sa-no-zone', userId: 'ida', expiresAt: new Date('2030-01-02T03:04:05Z') },
    ],
    ['sa-bad-expiry', null],
    ['sa-no-user', null],
    ['sa-empty-user', null],
    ['unknown', null],
  ];
  for (const [id, expected] of cases) {
    test(`maps ${id}`, () => {
      assert.deepEqual(lookup(id), expected);
    });
  }

  test('maps a CSV file with Pomerium field names', async () => {
    serve(
      '/service-accounts.csv',
      'id,user_id,expires_at,namespace_id,description\nsa-1,bot,2031-05-06T07:08:09Z,ns,"deploys, nightly"\n',
    );
    const { source } = open({ url: `${base}/service-accounts.csv`, ...fast });
    await source.ready();
    assert.deepEqual(serviceAccountLookup(source)('sa-1'), {
      id: 'sa-1',
      userId: 'bot',
      expiresAt: new Date('2031-05-06T07:08:09Z'),
      namespace: 'ns',
      description: 'deploys, nightly',
    });
  });
});

describe('directoryLookup', () => {
  test('finds users by exact id or case-insensitive email, with groups from arrays or CSV strings', async () => {
    serve(
      '/users.csv',
      'id,email,name,groups\nu1,Alice@Example.COM,Alice,"admins; support , ops"\nu2,bob@example.com,Bob,\nU3,,Nobody,x\n',
    );
    const { source } = open({ url: `${base}/users.csv`, ...fast });
    await source.ready();
    const lookup = directoryLookup(source);
    const alice = {
      id: 'u1',
      email: 'Alice@Example.COM',
      name: 'Alice',
      groups: ['admins', 'support', 'ops'],
    };
    assert.deepEqual(lookup('u1'), alice);
    assert.deepEqual(lookup('alice@example.com'), alice);
    assert.deepEqual(lookup('ALICE@EXAMPLE.COM'), alice);
    assert.deepEqual(lookup('bob@example.com'), {
      id: 'u2',
      email: 'bob@example.com',
      name: 'Bob',
      groups: [],
    });
    assert.equal(lookup('U1'), null, 'ids compare exactly');
    assert.equal(lookup('u3'), null);
    assert.deepEqual(lookup('U3'), { id: 'U3', name: 'Nobody', groups: ['x'] });
    assert.equal(lookup('carol@example.com'), null);
    assert.equal(lookup(''), null);
  });

  test("reads JSON arrays of groups, and Pomerium's display_name and group_ids", () => {
    const lookup = directoryLookup(
      createRecordsSource({
        records: [
          { id: 'u1', email: 'a@x.io', name: 'A', groups: ['g1', ' g2 ', 3, ''] },
          { id: 'u2', email: 'b@x.io', display_name: 'B', group_ids: ['admins'] },
        ],
      }),
    );
    assert.deepEqual(lookup('u1'), { id: 'u1', email: 'a@x.io', name: 'A', groups: ['g1', 'g2'] });
    assert.deepEqual(lookup('B@X.IO'), {
      id: 'u2',
      email: 'b@x.io',
      name: 'B',
      groups: ['admins'],
    });
  });

  test('an email shared by two records finds nobody', () => {
    const lookup = directoryLookup(
      createRecordsSource({
        records: [
          { id: 'u1', email: 'shared@x.io' },
          { id: 'u2', email: 'SHARED@x.io' },
        ],
      }),
    );
    assert.equal(lookup('shared@x.io'), null);
    assert.deepEqual(lookup('u2'), { id: 'u2', email: 'SHARED@x.io', groups: [] });
  });

  test('rebuilds the email index lazily, only when the version changes', () => {
    let version = 1;
    let records: RawRecord[] = [{ id: 'u1', email: 'old@x.io' }];
    let allCalls = 0;
    const source: RecordsSource = {
      kind: 'records-source',
      ready: () => Promise.resolve(),
      get: (id) => records.find((r) => r.id === id),
      all: () => {
        allCalls++;
        return records;
      },
      get version() {
        return version;
      },
      close: () => undefined,
    };
    const lookup = directoryLookup(source);
    assert.equal(allCalls, 0, 'nothing is indexed before the first lookup');
    assert.equal(lookup('OLD@x.io')?.id, 'u1');
    assert.equal(lookup('old@x.io')?.id, 'u1');
    assert.equal(allCalls, 1);

    records = [{ id: 'u1', email: 'new@x.io' }];
    assert.equal(lookup('new@x.io'), null, 'same version: the index is not rebuilt');
    version = 2;
    assert.equal(lookup('new@x.io')?.id, 'u1');
    assert.equal(lookup('old@x.io'), null);
    assert.equal(allCalls, 2);
  });

  test('follows a file that is rewritten', async () => {
    const path = join(tmp, 'directory.json');
    await replaceFile(path, JSON.stringify([{ id: 'u1', email: 'ann@x.io', groups: ['a'] }]));
    const { source } = open({ url: path, ...fast });
    await source.ready();
    const lookup = directoryLookup(source);
    assert.deepEqual(lookup('Ann@X.io')?.groups, ['a']);
    await replaceFile(path, JSON.stringify([{ id: 'u1', email: 'anne@x.io', groups: ['a', 'b'] }]));
    await waitFor(() => source.version === 2, 'the rewritten file');
    assert.equal(lookup('ann@x.io'), null);
    assert.deepEqual(lookup('ANNE@x.io'), { id: 'u1', email: 'anne@x.io', groups: ['a', 'b'] });
  });
});

describe('foreignKey', () => {
  test('get() matches the foreign-key field; numbers are found as their string; records without one are in all() only', async () => {
    serve(
      '/by-email.json',
      JSON.stringify([
        { id: 'r1', email: 'ann@x.io', n: 1 },
        { id: 'r2', email: 42 },
        { id: 'r3' },
        { id: 'r4', email: '' },
        { id: 'r5', email: { nested: true } },
        { id: 'r6', email: 'ann@x.io', n: 2 },
      ]),
      JSON_TYPE,
    );
    const { source, warnings } = open({
      url: `${base}/by-email.json`,
      foreignKey: 'email',
      ...fast,
    });
    await source.ready();
    assert.deepEqual(warnings, []);
    assert.equal(source.foreignKey, 'email');
    assert.deepEqual(
      source.get('ann@x.io'),
      { id: 'r6', email: 'ann@x.io', n: 2 },
      'the last wins',
    );
    assert.deepEqual(source.get('42'), { id: 'r2', email: 42 });
    assert.equal(source.get('r1'), undefined, 'ids are not keys any more');
    assert.equal(source.get(''), undefined);
    assert.equal(source.all().length, 6);
  });

  test('records given in code take a foreignKey too, and the default is id', () => {
    const byUser = createRecordsSource({
      records: [{ id: 'row-1', user_id: 'u1' }],
      foreignKey: 'user_id',
    });
    assert.deepEqual(byUser.get('u1'), { id: 'row-1', user_id: 'u1' });
    assert.equal(byUser.get('row-1'), undefined);
    const plain = createRecordsSource({ records: [{ id: 'row-1' }] });
    assert.equal(plain.foreignKey, 'id');
    assert.deepEqual(plain.get('row-1'), { id: 'row-1' });
  });

  test('the lookups match by the foreign key, and give its value as the id', () => {
    const accounts = createRecordsSource({
      records: [{ id: 'row-7', account: 'sa-1', user_id: 'bot' }],
      foreignKey: 'account',
    });
    assert.deepEqual(serviceAccountLookup(accounts)('sa-1'), { id: 'sa-1', userId: 'bot' });
    assert.equal(serviceAccountLookup(accounts)('row-7'), null);

    const users = createRecordsSource({
      records: [
        { id: 'row-1', user: 'u1', email: 'ann@x.io', groups: 'a' },
        { id: 'row-2', email: 'nokey@x.io' },
      ],
      foreignKey: 'user',
    });
    const lookup = directoryLookup(users);
    const ann = { id: 'u1', email: 'ann@x.io', groups: ['a'] };
    assert.deepEqual(lookup('u1'), ann);
    assert.deepEqual(lookup('ANN@x.io'), ann, 'found by email, the id is still the foreign key');
    assert.equal(lookup('nokey@x.io'), null, 'a record without a foreign key is nobody');

    const namespaces = createRecordsSource({
      records: [{ id: 'row-3', ns: 'eng', parent_id: 'root' }],
      foreignKey: 'ns',
    });
    assert.deepEqual(namespaceLookup(namespaces)('eng'), { id: 'eng', parentId: 'root' });
  });
});

describe('namespaceLookup', () => {
  test("reads Pomerium Enterprise's parent_id, or parentId; an empty parent makes a root", async () => {
    serve(
      '/namespaces.csv',
      'id,parent_id,name\nroot,,Global\nns-eng,root,Engineering\nns-web,ns-eng,Web\n',
    );
    const { source } = open({ url: `${base}/namespaces.csv`, ...fast });
    await source.ready();
    const lookup = namespaceLookup(source);
    assert.deepEqual(lookup('root'), { id: 'root' });
    assert.deepEqual(lookup('ns-eng'), { id: 'ns-eng', parentId: 'root' });
    assert.deepEqual(lookup('ns-web'), { id: 'ns-web', parentId: 'ns-eng' });
    assert.equal(lookup('ns-none'), null);
    assert.equal(lookup(''), null);

    const camel = namespaceLookup(
      createRecordsSource({
        records: [
          { id: 'a', parentId: 'b' },
          { id: 'b', parentId: '' },
        ],
      }),
    );
    assert.deepEqual(camel('a'), { id: 'a', parentId: 'b' });
    assert.deepEqual(camel('b'), { id: 'b' });
  });
});
