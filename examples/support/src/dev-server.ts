import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PomeriumAuthOptions } from '@pomerium-auth/core';
import { assertionHeaders, createTestIssuer, serviceAccountHeaders } from '@pomerium-auth/testing';
import { DEV_SHARED_SECRET, devOptions } from './dev-config.js';

/** An app that can listen: Express's and Koa's both can; the Fastify and Hono examples wrap theirs (`listenable`). */
export interface ListenableApp {
  listen(port: number, host: string, callback: () => void): Server;
}

/**
 * Runs an example against a local stand-in for Pomerium: a dev key server and freshly minted
 * tokens. Prints ready-to-paste curl commands for the three stories. PORT defaults to 3000.
 *
 * @example
 * ```ts
 * await startDevServer('example-express', createApp);
 * ```
 */
export async function startDevServer(
  name: string,
  createApp: (options: PomeriumAuthOptions) => ListenableApp,
): Promise<Server> {
  const issuer = await createTestIssuer({ sharedSecret: DEV_SHARED_SECRET });
  const keys = await issuer.serve();
  const app = createApp(
    devOptions({ jwksUrl: keys.url, issuer: issuer.issuer, audience: issuer.audience }),
  );
  const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const hours = { lifetime: 3600 };
    const bob = assertionHeaders(
      issuer.mintAssertion(
        { sub: 'bob', email: 'bob@example.com', name: 'Bob Builder', groups: ['staff'] },
        hours,
      ),
    );
    const alice = assertionHeaders(
      issuer.mintAssertion(
        { sub: 'alice', email: 'alice@example.com', name: 'Alice Admin', groups: ['admins'] },
        hours,
      ),
    );
    const machine = serviceAccountHeaders(
      issuer.mintServiceAccountToken({ id: 'sa-reports', userId: 'svc-reports' }),
    );
    const h = (headers: Record<string, string>) =>
      Object.entries(headers)
        .map(([k, v]) => `-H '${k}: ${v}'`)
        .join(' ');
    console.log(`${name} listening on ${base} (keys: ${keys.url})`);
    console.log('\n# 1. A user behind Pomerium (the identity assertion):');
    console.log(`curl ${h(bob)} ${base}/api/profile`);
    console.log('\n# 2. A machine with a service-account token:');
    console.log(`curl ${h(machine)} ${base}/api/reports`);
    console.log('\n# 3. An admin acting as user_1, with a reason (audited):');
    console.log(
      `curl ${h({ ...alice, 'impersonate-user': 'user_1', 'impersonate-reason': 'ticket 42' })} ${base}/api/profile`,
    );
    console.log('\n#    ... but not on payments (403 impersonation_denied):');
    console.log(
      `curl -X POST ${h({ ...alice, 'impersonate-user': 'user_1' })} ${base}/api/payments`,
    );
    console.log('\n#    Alice paying as herself is fine:');
    console.log(`curl -X POST ${h(alice)} ${base}/api/payments\n`);
  });
  const stop = () => {
    server.close();
    server.closeAllConnections();
    void issuer.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return server;
}
