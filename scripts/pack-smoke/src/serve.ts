import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PomeriumAuthOptions } from '@pomerium-auth/core';

/** A running app: its base URL, and how to stop it. */
export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

/** Starts an app that answers GET /me with the effective user's id. */
export type StartApp = (options: PomeriumAuthOptions) => Promise<RunningApp>;

/** The URL and closer of a Node server listening on 127.0.0.1. */
export async function running(server: Server): Promise<RunningApp> {
  if (!server.listening) await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
