import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
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
 *
 * @example
 * ```ts
 * import type { JwksFault } from '@pomerium-auth/testing';
 * const modes: JwksFault[] = ['down', 'slow', 'malformed', 'error'];
 * ```
 */
export type JwksFault = 'none' | 'down' | 'slow' | 'malformed' | 'error';

/**
 * Details of a fault mode.
 *
 * @example
 * ```ts
 * server.fault('slow', { delayMs: 200 });
 * server.fault('malformed', { body: '{"keys":"not an array"}' });
 * server.fault('error', { status: 503 });
 * ```
 */
export interface JwksFaultOptions {
  /** `'slow'`: delay before answering, in milliseconds (default 10 000). */
  delayMs?: number;
  /** `'malformed'`: the body to serve (default `'this is not a key set'`). */
  body?: string;
  /** `'error'`: the HTTP status (default 500). */
  status?: number;
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
    res.end(res.req.method === 'HEAD' ? undefined : body);
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
    fault(next: JwksFault, nextOptions: JwksFaultOptions = {}) {
      if (!['none', 'down', 'slow', 'malformed', 'error'].includes(next)) {
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
