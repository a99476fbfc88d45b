import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import { createGzip } from 'node:zlib';
import type { AddressInfo, Socket } from 'node:net';
import type { JSONWebKeySet } from 'jose';

/**
 * Path Pomerium publishes its assertion keys at, on every route domain.
 *
 * @example
 * ```ts
 * import { JWKS_PATH } from '@pomerium-auth/testing';
 * const jwksUrl = `https://app.example.com${JWKS_PATH}`;
 * ```
 */
export const JWKS_PATH = '/.well-known/pomerium/jwks.json';
/**
 * Path of Pomerium's discovery document (`issuer`, `jwks_uri`).
 *
 * @example
 * ```ts
 * import { DISCOVERY_PATH } from '@pomerium-auth/testing';
 * const { jwks_uri } = await (await fetch(`${server.origin}${DISCOVERY_PATH}`)).json();
 * ```
 */
export const DISCOVERY_PATH = '/.well-known/pomerium';

/**
 * How a {@link JwksServer} misbehaves, to test a verifier's handling of key-server trouble:
 *
 * - `'none'`: serves the key set normally.
 * - `'down'`: drops every connection without an answer (new ones and open keep-alive ones).
 * - `'slow'`: answers normally after `delayMs` (default 10 s).
 * - `'malformed'`: answers 200 with a body that is not a key set (default: not JSON at all).
 * - `'error'`: answers 500 (or `status`).
 * - `'huge'`: answers 200 with the key set padded with whitespace to `bytes` (default 64 MiB),
 *   with a true `Content-Length` unless `contentLength: false` (then chunked), gzip-encoded
 *   when `gzip: true` (a decompression bomb: `bytes` is the size once decoded).
 * - `'endless'`: answers 200 with a chunked body that starts like a key set and never ends:
 *   after `bytes` (default 64 MiB) it stops writing but keeps the connection open, so that a
 *   client that reads it all cannot exhaust a test's memory, and still waits for an end.
 * - `'trickle'`: answers 200 at once, then sends the key set one byte every `intervalMs`
 *   (default 1000).
 *
 * The hostile answers are written as fast as the client reads them and stop when it goes away;
 * {@link JwksServer.bytesSent} tells how much of them the client let through.
 *
 * @example
 * ```ts
 * import type { JwksFault } from '@pomerium-auth/testing';
 * const modes: JwksFault[] = ['down', 'slow', 'malformed', 'error', 'huge', 'endless', 'trickle'];
 * ```
 */
export type JwksFault =
  'none' | 'down' | 'slow' | 'malformed' | 'error' | 'huge' | 'endless' | 'trickle';

const FAULTS: readonly JwksFault[] = [
  'none',
  'down',
  'slow',
  'malformed',
  'error',
  'huge',
  'endless',
  'trickle',
];

/** Size of the pieces a hostile body is written in. */
const CHUNK_BYTES = 64 * 1024;

/**
 * Details of a fault mode.
 *
 * @example
 * ```ts
 * server.fault('slow', { delayMs: 200 });
 * server.fault('malformed', { body: '{"keys":"not an array"}' });
 * server.fault('error', { status: 503 });
 * server.fault('huge', { bytes: 64 << 20, contentLength: false });
 * server.fault('trickle', { intervalMs: 1000 });
 * ```
 */
export interface JwksFaultOptions {
  /** `'slow'`: delay before answering, in milliseconds (default 10 000). */
  delayMs?: number;
  /** `'malformed'`: the body to serve (default `'this is not a key set'`). */
  body?: string;
  /** `'error'`: the HTTP status (default 500). */
  status?: number;
  /**
   * `'huge'`: size of the body in bytes (default 64 MiB; decoded size when `gzip`).
   * `'endless'`: bytes written before the body stalls (default 64 MiB).
   */
  bytes?: number;
  /** `'huge'`: send a `Content-Length` header (default true; false sends the body chunked). */
  contentLength?: boolean;
  /** `'huge'`: gzip the body and say so in `Content-Encoding` (default false). */
  gzip?: boolean;
  /** `'trickle'`: milliseconds between two bytes of the body (default 1000). */
  intervalMs?: number;
}

/**
 * Options of {@link startJwksServer}.
 *
 * @example
 * ```ts
 * import type { JwksServerOptions } from '@pomerium-auth/testing';
 * const options: JwksServerOptions = { jwks: () => issuer.jwks(), maxAge: 60 };
 * ```
 */
export interface JwksServerOptions {
  /** The key set, or a function read on every request (so rotation shows up at once). */
  jwks: (() => JSONWebKeySet) | JSONWebKeySet;
  /** `Cache-Control: max-age` in seconds, default 60 as Pomerium. */
  maxAge?: number;
  /** `issuer` of the discovery document; defaults to `<origin>/`. */
  issuer?: string;
}

/**
 * A running loopback key server; see {@link startJwksServer}.
 *
 * @example
 * ```ts
 * import { startJwksServer, type JwksServer } from '@pomerium-auth/testing';
 * const server: JwksServer = await startJwksServer({ jwks: issuer.jwks() });
 * await fetch(server.url);
 * assert.equal(server.requestCount, 1);
 * await server.close();
 * ```
 */
export interface JwksServer {
  /** Full URL of the key set, `http://127.0.0.1:<port>/.well-known/pomerium/jwks.json`. */
  readonly url: string;
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** Full URL of the discovery document `/.well-known/pomerium`. */
  readonly discoveryUrl: string;
  /** Key-set requests received so far, whatever the fault mode answered. */
  readonly requestCount: number;
  /**
   * Body bytes of key-set answers handed to the network so far (before gzip), all modes
   * together. With `'huge'` and `'endless'` it shows how much a client read before it gave up:
   * the bytes it read plus what the socket buffers hold.
   */
  readonly bytesSent: number;
  /** Switches the fault mode; `'none'` restores normal service. */
  fault(mode: JwksFault, options?: JwksFaultOptions): void;
  /** Stops the server, ending open connections and delayed answers; safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts an HTTP key server on 127.0.0.1 (a free port) that answers like Pomerium:
 * `GET /.well-known/pomerium/jwks.json` with the key set and `Cache-Control: max-age=60`, and
 * `GET /.well-known/pomerium` with `{ issuer, jwks_uri }`. It counts key-set requests and can
 * be told to fail in several ways ({@link JwksFault}).
 *
 * @param options - the key set (or a function read on every request), `maxAge` and `issuer`.
 * @returns the running server on 127.0.0.1, on a free port; `close()` it when done.
 *
 * @example
 * ```ts
 * import { after, test } from 'node:test';
 * import { createTestIssuer, startJwksServer } from '@pomerium-auth/testing';
 *
 * const issuer = await createTestIssuer();
 * const keys = await startJwksServer({ jwks: () => issuer.jwks() });
 * after(() => keys.close());
 *
 * test('serves stale keys when the key server fails', async () => {
 *   keys.fault('error');
 *   // ... call the app, expect it to keep working with cached keys ...
 *   keys.fault('none');
 * });
 * ```
 */
export async function startJwksServer(options: JwksServerOptions): Promise<JwksServer> {
  const readJwks =
    typeof options.jwks === 'function' ? options.jwks : () => options.jwks as JSONWebKeySet;
  const maxAge = options.maxAge ?? 60;
  let mode: JwksFault = 'none';
  let faultOptions: JwksFaultOptions = {};
  let requestCount = 0;
  let bytesSent = 0;
  let closed: Promise<void> | undefined;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let origin = '';

  function send(
    res: ServerResponse,
    status: number,
    body: string,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      ...headers,
    });
    if (res.req.method === 'HEAD') return void res.end();
    if (new URL(res.req.url ?? '/', 'http://localhost').pathname === JWKS_PATH)
      bytesSent += Buffer.byteLength(body);
    res.end(body);
  }

  /**
   * Writes the pieces `next` hands out as fast as the client reads them, until `null` (the
   * end of the body) or `undefined` (no end: the body stalls, the connection stays open).
   */
  function pump(
    res: ServerResponse,
    next: () => Buffer | null | undefined,
    sink: NodeJS.WritableStream = res,
  ): void {
    const write = (): void => {
      for (;;) {
        if (res.destroyed) return;
        const chunk = next();
        if (chunk === undefined) return;
        if (chunk === null) return void sink.end();
        bytesSent += chunk.length;
        if (!sink.write(chunk)) return void sink.once('drain', write);
      }
    };
    write();
  }

  /** `'huge'`, `'endless'` and `'trickle'`: bodies that are too large, never end, or crawl. */
  function hostile(res: ServerResponse): void {
    const keySet = JSON.stringify(readJwks());
    if (mode === 'trickle') {
      const body = Buffer.from(keySet);
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': String(body.length),
      });
      res.flushHeaders();
      let sent = 0;
      const timer = setInterval(() => {
        if (res.destroyed || sent === body.length) {
          clearInterval(timer);
          timers.delete(timer);
          if (!res.destroyed) res.end();
          return;
        }
        bytesSent += 1;
        res.write(body.subarray(sent, ++sent));
      }, faultOptions.intervalMs ?? 1000);
      timers.add(timer);
      return;
    }
    const padding = Buffer.alloc(CHUNK_BYTES, ' ');
    const limit = faultOptions.bytes ?? 64 * 1024 * 1024;
    if (mode === 'endless') {
      res.writeHead(200, { 'content-type': 'application/json' });
      let written = 0;
      return pump(res, () => {
        const chunk = written === 0 ? Buffer.from('{"keys":[') : padding;
        if (written + chunk.length > limit) return undefined;
        written += chunk.length;
        return chunk;
      });
    }
    // 'huge': the true key set, padded inside its closing brace, so that only its size is wrong.
    const head = Buffer.from(keySet.slice(0, -1));
    const total = Math.max(limit, head.length + 1);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (faultOptions.gzip) headers['content-encoding'] = 'gzip';
    else if (faultOptions.contentLength !== false) headers['content-length'] = String(total);
    res.writeHead(200, headers);
    let written = 0;
    const next = (): Buffer | null => {
      if (written === total) return null;
      let chunk: Buffer;
      if (written === 0) chunk = head;
      else if (total - written === 1) chunk = Buffer.from('}');
      else chunk = padding.subarray(0, Math.min(padding.length, total - written - 1));
      written += chunk.length;
      return chunk;
    };
    if (!faultOptions.gzip) return pump(res, next);
    const gzip = createGzip();
    gzip.pipe(res);
    res.once('close', () => gzip.destroy());
    pump(res, next, gzip);
  }

  function answer(res: ServerResponse, path: string): void {
    if (mode === 'malformed') return send(res, 200, faultOptions.body ?? 'this is not a key set');
    if (mode === 'error') {
      return send(
        res,
        faultOptions.status ?? 500,
        JSON.stringify({ error: 'internal server error' }),
      );
    }
    if (path === JWKS_PATH) {
      if (mode === 'huge' || mode === 'endless' || mode === 'trickle') {
        if (res.req.method === 'HEAD') return send(res, 200, '');
        return hostile(res);
      }
      return send(res, 200, JSON.stringify(readJwks()), { 'cache-control': `max-age=${maxAge}` });
    }
    send(
      res,
      200,
      JSON.stringify({ issuer: options.issuer ?? `${origin}/`, jwks_uri: `${origin}${JWKS_PATH}` }),
      {
        'cache-control': `max-age=${maxAge}`,
      },
    );
  }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const known = path === JWKS_PATH || path === DISCOVERY_PATH || path === `${DISCOVERY_PATH}/`;
    if (path === JWKS_PATH) requestCount += 1;
    if (mode === 'down') {
      req.socket.destroy();
      return;
    }
    if (!known) return send(res, 404, JSON.stringify({ error: 'not found' }));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(res, 405, JSON.stringify({ error: 'method not allowed' }), {
        allow: 'GET, HEAD',
      });
    }
    if (mode === 'slow') {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed) answer(res, path === JWKS_PATH ? JWKS_PATH : DISCOVERY_PATH);
      }, faultOptions.delayMs ?? 10_000);
      timers.add(timer);
      return;
    }
    answer(res, path === JWKS_PATH ? JWKS_PATH : DISCOVERY_PATH);
  });

  server.on('connection', (socket: Socket) => {
    if (mode === 'down') {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}${JWKS_PATH}`,
    origin,
    discoveryUrl: `${origin}${DISCOVERY_PATH}`,
    get requestCount() {
      return requestCount;
    },
    get bytesSent() {
      return bytesSent;
    },
    fault(next: JwksFault, nextOptions: JwksFaultOptions = {}) {
      if (!FAULTS.includes(next)) {
        throw new TypeError(`unknown fault mode ${JSON.stringify(next)}`);
      }
      mode = next;
      faultOptions = nextOptions;
      // Kept-alive connections would otherwise keep working while the server is "down".
      if (next === 'down') for (const socket of sockets) socket.destroy();
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
