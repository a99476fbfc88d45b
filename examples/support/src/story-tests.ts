import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { AuditEvent, PomeriumAuthOptions } from '@pomerium-auth/core';
import { assertionHeaders, createTestIssuer, serviceAccountHeaders } from '@pomerium-auth/testing';
import { DEV_SHARED_SECRET, devOptions } from './dev-config.js';
import type { ListenableApp } from './dev-server.js';
import type { profileOf } from './profile.js';

/**
 * Registers the three user stories (a user behind Pomerium, a machine with a service-account
 * token, an admin impersonating a user) as node:test tests against an example app, started on
 * 127.0.0.1 with the dev world and exercised over real HTTP.
 *
 * @example
 * ```ts
 * storyTests(createApp); // in examples/express/test/stories.test.ts
 * ```
 */
export function storyTests(createApp: (options: PomeriumAuthOptions) => ListenableApp): void {
  const events: AuditEvent[] = [];
  let base = '';
  let server: Server | undefined;
  let issuer: Awaited<ReturnType<typeof createTestIssuer>>;

  before(async () => {
    issuer = await createTestIssuer({ sharedSecret: DEV_SHARED_SECRET });
    const keys = await issuer.serve();
    server = createApp(
      devOptions(
        { jwksUrl: keys.url, issuer: issuer.issuer, audience: issuer.audience },
        { audit: (e) => events.push(e) },
      ),
    ).listen(0, '127.0.0.1', () => undefined);
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server?.close();
    server?.closeAllConnections();
    await issuer.close();
  });

  const alice = () =>
    assertionHeaders(
      issuer.mintAssertion({ sub: 'alice', email: 'alice@example.com', groups: ['admins'] }),
    );
  const bob = () =>
    assertionHeaders(
      issuer.mintAssertion({ sub: 'bob', email: 'bob@example.com', groups: ['staff'] }),
    );
  type Profile = ReturnType<typeof profileOf>;
  const json = <T>(res: Response) => res.json() as Promise<T>;
  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
    fetch(`${base}${path}`, { method, headers });

  test('the health check is public', async () => {
    assert.equal((await get('/healthz')).status, 200);
  });

  test('story 1: a user behind Pomerium sees their profile from the assertion', async () => {
    const res = await get('/api/profile', bob());
    assert.equal(res.status, 200);
    const body = await json<Profile>(res);
    assert.equal(body.user.id, 'bob');
    assert.equal(body.credential, 'assertion');
    assert.equal(body.impersonating, false);
  });

  test('story 1: without Pomerium the API answers 401 with a challenge', async () => {
    const res = await get('/api/profile');
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

  test('story 2: a machine reads reports with a service-account token', async () => {
    const token = issuer.mintServiceAccountToken({ id: 'sa-reports', userId: 'svc-reports' });
    const res = await get('/api/reports', serviceAccountHeaders(token));
    assert.equal(res.status, 200);
    assert.equal((await json<{ readBy: string }>(res)).readBy, 'svc-reports');
  });

  test('story 2: an unknown service account is refused', async () => {
    const token = issuer.mintServiceAccountToken({ id: 'sa-deleted', userId: 'svc-reports' });
    assert.equal((await get('/api/reports', serviceAccountHeaders(token))).status, 401);
  });

  test('story 3: an admin acts as a user, audited with both users', async () => {
    const res = await get('/api/profile', {
      ...alice(),
      'impersonate-user': 'user_1',
      'impersonate-reason': 'ticket 42',
      'x-request-id': 'story-3',
    });
    assert.equal(res.status, 200);
    const body = await json<Profile>(res);
    assert.equal(body.user.id, 'user_1');
    assert.deepEqual(body.user.groups, ['staff']);
    assert.equal(body.initiator.id, 'alice');
    assert.equal(body.impersonation?.reason, 'ticket 42');
    await new Promise((resolve) => setImmediate(resolve));
    const audited = events.filter((e) => e.request.request_id === 'story-3');
    assert.equal(audited.length, 1);
    assert.equal(audited[0]!.event, 'impersonation_granted');
    assert.equal(audited[0]!.initiating_user?.id, 'alice');
    assert.equal(audited[0]!.effective_user?.id, 'user_1');
  });

  test('story 3: payments refuse impersonation, but take the admin as herself', async () => {
    const denied = await get('/api/payments', { ...alice(), 'impersonate-user': 'user_1' }, 'POST');
    assert.equal(denied.status, 403);
    assert.equal((await json<{ error: string }>(denied)).error, 'impersonation_denied');
    const paid = await get('/api/payments', alice(), 'POST');
    assert.equal(paid.status, 201);
    assert.equal((await json<{ by: string }>(paid)).by, 'alice');
  });

  test('story 3: a user without a grant cannot impersonate, nor can anyone act as root', async () => {
    assert.equal(
      (await get('/api/profile', { ...bob(), 'impersonate-user': 'user_1' })).status,
      403,
    );
    assert.equal(
      (await get('/api/profile', { ...alice(), 'impersonate-user': 'root' })).status,
      403,
    );
  });
}
