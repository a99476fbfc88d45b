// Shared set-up for the core's tests: one test issuer (keys, shared secret, loopback JWKS
// server) and helpers to build requests and catch the errors they end in.
import assert from 'node:assert/strict';
import {
  createPomeriumAuth,
  PomeriumAuthError,
  type AuditEvent,
  type AuthRequest,
  type PomeriumAuthOptions,
} from '@pomerium-auth/core';
import { createTestIssuer, type TestIssuer } from '@pomerium-auth/testing';

export const ROUTE_HOST = 'app.localhost.pomerium.io';

export async function issuer(): Promise<TestIssuer> {
  return createTestIssuer({ host: ROUTE_HOST });
}

/**
 * Options that verify what `from` mints: its assertions by its first key (issuer and audience
 * the route host), its service-account tokens by its shared secret; no environment, no warnings.
 */
export function issuerOptions(from: TestIssuer): PomeriumAuthOptions {
  return {
    env: false,
    sharedSecret: from.sharedSecret,
    publicKeys: [from.keys[0]!.publicJwk],
    issuer: ROUTE_HOST,
    audience: ROUTE_HOST,
    logger: { warn: () => undefined },
  };
}

/** A request with these headers. */
export function request(
  headers: Record<string, string | string[]>,
  method = 'GET',
  url = '/resource',
): AuthRequest {
  return { method, url, headers: { ...headers }, ip: '127.0.0.1' };
}

/** An authenticator whose audit events are collected in `events`. */
export function withAudit(options: PomeriumAuthOptions): {
  auth: ReturnType<typeof createPomeriumAuth>;
  events: AuditEvent[];
} {
  const events: AuditEvent[] = [];
  const auth = createPomeriumAuth({ env: false, ...options, audit: (e) => events.push(e) });
  return { auth, events };
}

/** The error a promise rejects with, asserting it is a PomeriumAuthError. */
export async function failure(promise: Promise<unknown>): Promise<PomeriumAuthError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof PomeriumAuthError, `expected a PomeriumAuthError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the request to be refused');
}
