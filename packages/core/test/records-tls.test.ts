import { test, describe, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createRecordsSource,
  PomeriumAuthConfigError,
  type RecordsSourceOptions,
} from '@pomerium-auth/core';
import { makeTestCertificates, type TestCertificates } from './records-certificates.js';
import { tar } from './records-archive-writer.js';
import { sourceOpener, waitFor } from './records-fixtures.js';

// ---------------------------------------------------------------------------------------------
// Fixtures: HTTPS records servers on 127.0.0.1 with certificates made by openssl for this run.

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface TestServer {
  url: string;
  routes: Map<string, Handler>;
  seen: Array<{ path: string; headers: IncomingMessage['headers'] }>;
  /** Requests whose connection has closed, by path. */
  closed: string[];
  server: Server | HttpsServer;
}

let certs: TestCertificates;
let plainTls: TestServer; // server certificate signed by the test CA
let secondTls: TestServer; // same CA, another origin (port)
let mutualTls: TestServer; // requires a client certificate signed by the test CA
let otherTls: TestServer; // server certificate signed by the other CA
let cleartext: TestServer;
const opener = sourceOpener({ minDelay: 3600, timeout: 3000 });
const open = opener.open;

async function start(server: Server | HttpsServer, scheme: 'http' | 'https'): Promise<TestServer> {
  const routes = new Map<string, Handler>();
  const seen: TestServer['seen'] = [];
  const closed: string[] = [];
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    seen.push({ path, headers: req.headers });
    res.once('close', () => closed.push(path));
    const handler = routes.get(path);
    if (handler) handler(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `${scheme}://127.0.0.1:${port}`, routes, seen, closed, server };
}

before(async () => {
  certs = makeTestCertificates();
  plainTls = await start(createHttpsServer({ ...certs.server }), 'https');
  secondTls = await start(createHttpsServer({ ...certs.server }), 'https');
  mutualTls = await start(
    createHttpsServer({
      ...certs.server,
      ca: certs.ca,
      requestCert: true,
      rejectUnauthorized: true,
    }),
    'https',
  );
  otherTls = await start(createHttpsServer({ ...certs.other.server }), 'https');
  cleartext = await start(createHttpServer(), 'http');
  for (const s of [plainTls, secondTls, mutualTls, otherTls, cleartext]) {
    s.routes.set('/users.json', (_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('[{"id":"u1"}]'),
    );
  }
});

after(async () => {
  opener.closeAll();
  for (const s of [plainTls, secondTls, mutualTls, otherTls, cleartext]) {
    s.server.closeAllConnections();
    await new Promise<void>((resolve) => s.server.close(() => resolve()));
  }
  certs.remove();
});

// ---------------------------------------------------------------------------------------------

describe('HTTPS records sources: each TLS option', () => {
  const UNTRUSTED = /self[- ]signed|unable to (?:verify|get local issuer)|certificate/i;
  // TLS 1.3 servers refuse a missing or unknown client certificate after the handshake.
  const NO_CLIENT_CERT =
    /certificate required|unknown ca|bad certificate|socket hang up|ECONNRESET|alert/i;

  const cases: Array<[string, () => RecordsSourceOptions, 'loads' | RegExp]> = [
    ['trusted through ca', () => ({ url: `${plainTls.url}/users.json`, ca: certs.ca }), 'loads'],
    [
      'trusted through ca given as a Buffer',
      () => ({ url: `${plainTls.url}/users.json`, ca: Buffer.from(certs.ca) }),
      'loads',
    ],
    [
      'trusted through a ca bundle holding the test CA second',
      () => ({ url: `${plainTls.url}/users.json`, ca: certs.other.ca + certs.ca }),
      'loads',
    ],
    ['untrusted without ca', () => ({ url: `${plainTls.url}/users.json` }), UNTRUSTED],
    [
      'untrusted with a ca that did not sign the server',
      () => ({ url: `${plainTls.url}/users.json`, ca: certs.other.ca }),
      UNTRUSTED,
    ],
    [
      'accepted with allowInsecureTLS',
      () => ({ url: `${otherTls.url}/users.json`, allowInsecureTLS: true }),
      'loads',
    ],
    [
      'refused with allowInsecureTLS: false',
      () => ({ url: `${otherTls.url}/users.json`, allowInsecureTLS: false }),
      UNTRUSTED,
    ],
    [
      'mutual TLS with the client certificate',
      () => ({
        url: `${mutualTls.url}/users.json`,
        ca: certs.ca,
        cert: certs.client.cert,
        key: certs.client.key,
      }),
      'loads',
    ],
    [
      'mutual TLS without a client certificate',
      () => ({ url: `${mutualTls.url}/users.json`, ca: certs.ca }),
      NO_CLIENT_CERT,
    ],
    [
      'mutual TLS with a client certificate of another CA',
      () => ({
        url: `${mutualTls.url}/users.json`,
        ca: certs.ca,
        cert: certs.other.client.cert,
        key: certs.other.client.key,
      }),
      NO_CLIENT_CERT,
    ],
  ];
  for (const [name, options, outcome] of cases) {
    test(`${outcome === 'loads' ? 'loads' : 'refuses'}: ${name}`, async () => {
      const given = options();
      const { source, warnings } = open(given);
      await source.ready();
      const startup = given.allowInsecureTLS === true ? 1 : 0;
      if (outcome === 'loads') {
        assert.deepEqual(warnings.slice(startup), []);
        assert.equal(source.version, 1);
        assert.deepEqual(source.get('u1'), { id: 'u1' });
      } else {
        assert.equal(source.version, 0);
        assert.equal(warnings.length, 1);
        assert.match(warnings[0]!, outcome);
        assert.match(warnings[0]!, /no records loaded yet/);
      }
    });
  }

  test('allowInsecureTLS is warned about at construction, before any load, naming the source', () => {
    const { warnings } = open({
      url: `${otherTls.url}/users.json?token=secret`,
      allowInsecureTLS: true,
    });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /accepts any TLS certificate \(allowInsecureTLS\)/);
    assert.ok(warnings[0]!.includes(`${otherTls.url}/users.json?…`));
    assert.doesNotMatch(warnings[0]!, /secret/);
  });

  test('ca is added to the roots Node trusts (NODE_EXTRA_CA_CERTS here), not put in their place', async () => {
    // A child process that trusts the other CA through NODE_EXTRA_CA_CERTS and is given the
    // test CA as `ca` must still reach the server of the other CA.
    const script = `
      import { createRecordsSource } from '@pomerium-auth/core';
      const warnings = [];
      const s = createRecordsSource({ url: ${JSON.stringify(`${otherTls.url}/users.json`)}, ca: process.env.TEST_CA, logger: { warn: (m) => warnings.push(m) } });
      await s.ready();
      console.log(JSON.stringify({ version: s.version, warnings }));
      s.close();
    `;
    const run = async (env: Record<string, string>) => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--input-type=module', '-e', script],
        {
          cwd: fileURLToPath(new URL('..', import.meta.url)),
          env: { ...process.env, TEST_CA: certs.ca, ...env },
          timeout: 15_000,
        },
      );
      return JSON.parse(stdout) as { version: number; warnings: string[] };
    };
    const withExtra = await run({ NODE_EXTRA_CA_CERTS: join(certs.dir, 'other-ca.pem') });
    assert.deepEqual(withExtra, { version: 1, warnings: [] });
    const without = await run({});
    assert.equal(without.version, 0, 'the control: without the extra CA the server is untrusted');
  });
});

describe('HTTPS records sources: the HTTP behaviour is kept over node:https', () => {
  const tlsOptions = () => ({ ca: certs.ca });

  test('ETag and 304, headers sent, and an archive over HTTPS', async () => {
    const body = tar([{ path: 'service-accounts.json', data: '[{"id":"sa-1","user_id":"bot"}]' }]);
    plainTls.routes.set('/bundle.tar', (req, res) => {
      if (req.headers['if-none-match'] === '"v1"') res.writeHead(304).end();
      else res.writeHead(200, { etag: '"v1"' }).end(body);
    });
    const { source, warnings } = open({
      url: `${plainTls.url}/bundle.tar`,
      headers: { authorization: 'Bearer data-token' },
      minDelay: 0.02,
      maxDelay: 0.02,
      ...tlsOptions(),
    });
    await source.ready();
    await waitFor(() => plainTls.seen.filter((s) => s.path === '/bundle.tar').length >= 3, 'polls');
    const seen = plainTls.seen.filter((s) => s.path === '/bundle.tar');
    assert.equal(seen[0]?.headers.authorization, 'Bearer data-token');
    assert.equal(seen[0]?.headers['if-none-match'], undefined);
    assert.equal(seen[1]?.headers['if-none-match'], '"v1"');
    assert.equal(source.version, 1);
    assert.deepEqual(source.recordTypes, ['service-accounts']);
    assert.deepEqual(warnings, []);
  });

  test('a stalled body times out', { timeout: 15_000 }, async () => {
    plainTls.routes.set('/stalled.json', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[{"id":');
    });
    const { source, warnings } = open({
      url: `${plainTls.url}/stalled.json`,
      timeout: 150,
      ...tlsOptions(),
    });
    await source.ready();
    assert.match(warnings[0]!, /timed out after 150 ms/);
    await waitFor(() => plainTls.closed.includes('/stalled.json'), 'the connection to be closed');
  });

  test('a body growing past maxBytes is cut off while it streams', async () => {
    let written = 0;
    plainTls.routes.set('/endless.json', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(16 * 1024, 0x20);
      const pump = (): void => {
        while (!res.destroyed && written < 50_000_000) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        if (!res.destroyed) res.end();
      };
      pump();
    });
    const { source, warnings } = open({
      url: `${plainTls.url}/endless.json`,
      maxBytes: 100_000,
      ...tlsOptions(),
    });
    await source.ready();
    assert.match(warnings[0]!, /body larger than maxBytes \(100000\)/);
    await waitFor(() => plainTls.closed.includes('/endless.json'), 'the connection to be closed');
    assert.ok(written < 5_000_000, `the server wrote ${written} bytes before being cut off`);
  });

  test('close() aborts a load in flight', { timeout: 15_000 }, async () => {
    plainTls.routes.set('/never.json', () => undefined);
    const { source } = open({ url: `${plainTls.url}/never.json`, ...tlsOptions() });
    await waitFor(() => plainTls.seen.some((s) => s.path === '/never.json'), 'the request');
    source.close();
    await waitFor(() => plainTls.closed.includes('/never.json'), 'the request to be aborted', 2000);
    await source.ready();
    assert.equal(source.version, 0);
  });

  test('redirects: followed within the origin, Authorization dropped across origins, never to http', async () => {
    plainTls.routes.set('/moved.json', (_req, res) =>
      res.writeHead(302, { location: '/users.json' }).end(),
    );
    plainTls.routes.set('/elsewhere.json', (_req, res) =>
      res.writeHead(307, { location: `${secondTls.url}/users.json` }).end(),
    );
    plainTls.routes.set('/downgrade.json', (_req, res) =>
      res.writeHead(301, { location: `${cleartext.url}/users.json` }).end(),
    );
    plainTls.routes.set('/loop.json', (_req, res) =>
      res.writeHead(302, { location: '/loop.json' }).end(),
    );
    const headers = { authorization: 'Bearer data-token' };
    const moved = open({ url: `${plainTls.url}/moved.json`, headers, ...tlsOptions() });
    const elsewhere = open({ url: `${plainTls.url}/elsewhere.json`, headers, ...tlsOptions() });
    const downgrade = open({ url: `${plainTls.url}/downgrade.json`, headers, ...tlsOptions() });
    const loop = open({ url: `${plainTls.url}/loop.json`, ...tlsOptions() });
    await Promise.all([moved, elsewhere, downgrade, loop].map((o) => o.source.ready()));

    assert.equal(moved.source.version, 1);
    assert.equal(
      plainTls.seen.filter((s) => s.path === '/users.json').at(-1)?.headers.authorization,
      headers.authorization,
    );
    assert.equal(elsewhere.source.version, 1);
    assert.equal(
      secondTls.seen.at(-1)?.headers.authorization,
      undefined,
      'not sent to another origin',
    );
    assert.equal(downgrade.source.version, 0);
    assert.match(downgrade.warnings[0]!, /redirect to a http: URL refused/);
    assert.equal(cleartext.seen.length, 0, 'nothing was sent in cleartext');
    assert.match(loop.warnings[0]!, /more than 20 redirects/);
  });
});

describe('HTTPS records sources: TLS options are checked at construction', () => {
  const https = () => `${plainTls.url}/users.json`;
  const invalid: Array<[string, () => RecordsSourceOptions, string, RegExp]> = [
    [
      'a ca that is not PEM',
      () => ({ url: https(), ca: 'not a certificate' }),
      'ca',
      /holds no PEM certificate/,
    ],
    [
      'a ca given as a file path',
      () => ({ url: https(), ca: '/etc/ssl/certs/ca.pem' }),
      'ca',
      /not a file path/,
    ],
    [
      'a damaged PEM certificate in ca',
      () => ({
        url: https(),
        ca: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
      }),
      'ca',
      /cannot be read/,
    ],
    [
      'a ca that is a number',
      () => ({ url: https(), ca: 7 as unknown as string }),
      'ca',
      /must be PEM text/,
    ],
    [
      'cert without key',
      () => ({ url: https(), cert: certs.client.cert }),
      'key',
      /required with "cert"/,
    ],
    [
      'key without cert',
      () => ({ url: https(), key: certs.client.key }),
      'cert',
      /required with "key"/,
    ],
    [
      'a key that does not match the cert',
      () => ({ url: https(), cert: certs.client.cert, key: certs.other.client.key }),
      'key',
      /does not match/,
    ],
    [
      'a key that is not a key',
      () => ({ url: https(), cert: certs.client.cert, key: 'nope' }),
      'key',
      /not a PEM private key/,
    ],
    [
      'a cert that is not a certificate',
      () => ({ url: https(), cert: certs.client.key, key: certs.client.key }),
      'cert',
      /holds no PEM certificate/,
    ],
    [
      'allowInsecureTLS that is not a boolean',
      () => ({ url: https(), allowInsecureTLS: 'yes' as unknown as boolean }),
      'allowInsecureTLS',
      /boolean/,
    ],
    [
      'ca on an http:// URL',
      () => ({ url: `${cleartext.url}/users.json`, ca: certs.ca }),
      'ca',
      /https:\/\/ URLs only/,
    ],
    [
      'a client certificate on a file',
      () => ({ url: '/etc/app/users.json', cert: certs.client.cert, key: certs.client.key }),
      'cert',
      /https:\/\/ URLs only/,
    ],
    [
      'ca with a fetch of its own',
      () => ({ url: https(), ca: certs.ca, fetch }),
      'fetch',
      /cannot be combined with "ca"/,
    ],
  ];
  for (const [name, options, option, message] of invalid) {
    test(`throws a PomeriumAuthConfigError naming "${option}" for ${name}`, () => {
      assert.throws(
        () => createRecordsSource({ logger: { warn: () => undefined }, ...options() }),
        (err: unknown) => {
          assert.ok(err instanceof PomeriumAuthConfigError, String(err));
          assert.equal(err.option, option);
          assert.match(err.message, message);
          return true;
        },
      );
    });
  }
});
