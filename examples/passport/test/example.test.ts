import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import {
  assertionHeaders,
  createTestIssuer,
  serviceAccountHeaders,
  type TestIssuer,
} from '@pomerium-auth/testing';
import { createApp } from '../src/app.js';

let issuer: TestIssuer;
let server: Server;
let url: string;
before(async () => {
  issuer = await createTestIssuer();
  const keys = await issuer.serve();
  server = createApp({
    jwksUrl: keys.url,
    issuer: issuer.issuer,
    audience: issuer.audience,
    sharedSecret: issuer.sharedSecret,
    audit: false,
    env: false,
  }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise((resolve) => server.close(resolve));
  await issuer.close();
});

test('a member behind Pomerium gets their own record', async () => {
  const res = await fetch(`${url}/me`, {
    headers: assertionHeaders(issuer.mintAssertion({ sub: 'alice' })),
  });
  assert.deepEqual(await res.json(), { id: 'alice', plan: 'pro' });
});

test('a service account whose user is a member gets in too', async () => {
  const res = await fetch(`${url}/me`, {
    headers: serviceAccountHeaders(
      issuer.mintServiceAccountToken({ id: 'sa-9', userId: 'svc-reports' }),
      'x-pomerium-authorization',
    ),
  });
  assert.deepEqual(await res.json(), { id: 'svc-reports', plan: 'free' });
});

test('a caller without a credential gets 401 with the challenge and the JSON body', async () => {
  const res = await fetch(`${url}/me`);
  assert.equal(res.status, 401);
  assert.equal(
    res.headers.get('www-authenticate'),
    'Bearer realm="pomerium", error="credentials_required", error_description="Authentication is required"',
  );
  assert.deepEqual(await res.json(), {
    error: 'credentials_required',
    error_description: 'Authentication is required',
  });
});

test('a verified principal who is not a member gets 401 invalid_token', async () => {
  const res = await fetch(`${url}/me`, {
    headers: assertionHeaders(issuer.mintAssertion({ sub: 'mallory' })),
  });
  assert.equal(res.status, 401);
  assert.equal(((await res.json()) as { error: string }).error, 'invalid_token');
});

test('a refused impersonation gets the one 403 body', async () => {
  const res = await fetch(`${url}/me`, {
    headers: {
      ...assertionHeaders(issuer.mintAssertion({ sub: 'alice' })),
      'impersonate-user': 'svc-reports',
    },
  });
  assert.equal(res.status, 403);
  assert.deepEqual(await res.json(), {
    error: 'impersonation_denied',
    error_description: 'Impersonation is not allowed',
  });
});
