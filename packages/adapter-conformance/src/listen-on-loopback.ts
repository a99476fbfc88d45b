import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConformanceApp } from './run-conformance.js';

/**
 * Waits for a server started with `listen(0, '127.0.0.1')` and gives its URL and a `close` that
 * also ends kept-alive connections, so no test run hangs on it.
 *
 * @example
 * ```ts
 * return listenOnLoopback(app.listen(0, '127.0.0.1'));
 * ```
 */
export async function listenOnLoopback(server: Server): Promise<ConformanceApp> {
  if (!server.listening) await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
