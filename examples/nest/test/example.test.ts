import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { PomeriumAuthOptions } from '@pomerium-auth/nest';
import {
  assertionHeaders,
  createTestIssuer,
  serviceAccountHeaders,
  type TestIssuer,
} from '@pomerium-auth/testing';
import { AppModule } from '../src/app.module.js';
import { PassportAppModule } from '../src/passport.module.js';

let issuer: TestIssuer;
let options: PomeriumAuthOptions;
const apps: INestApplication[] = [];
before(async () => {
  issuer = await createTestIssuer();
  const keys = await issuer.serve();
  options = {
    jwksUrl: keys.url,
    issuer: issuer.issuer,
    audience: issuer.audience,
    sharedSecret: issuer.sharedSecret,
    audit: false,
    env: false,
    logger: { warn: () => undefined },
  };
});
after(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await issuer.close();
});

async function start(module: Parameters<typeof NestFactory.create>[0]): Promise<string> {
  const app = await NestFactory.create(module, { logger: false, abortOnError: false });
  apps.push(app);
  await app.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
}

const as = (sub: string, groups: string[]) =>
  assertionHeaders(issuer.mintAssertion({ sub, user: sub, groups }));

describe('examples/nest: guard and decorators', () => {
  let url: string;
  before(async () => {
    url = await start(AppModule.register(options));
  });

  test('the health check is public', async () => {
    assert.equal((await fetch(`${url}/health`)).status, 200);
  });

  test('the catalog is open to anyone, and a member who sends a credential is recognised', async () => {
    assert.deepEqual(await (await fetch(`${url}/catalog`)).json(), {
      prices: 'public',
      member: null,
    });
    assert.deepEqual(await (await fetch(`${url}/catalog`, { headers: as('cleo', []) })).json(), {
      prices: 'member',
      member: 'cleo',
    });
  });

  test('every other route asks for a Pomerium credential', async () => {
    const res = await fetch(`${url}/account`);
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

  test('a service account reaches its account', async () => {
    const res = await fetch(`${url}/account`, {
      headers: serviceAccountHeaders(
        issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'customer-bot' }),
      ),
    });
    assert.deepEqual(await res.json(), {
      user: 'customer-bot',
      groups: [],
      actingFor: null,
      by: 'customer-bot',
    });
  });

  test('support acts as a customer, and the decorators tell both apart', async () => {
    const res = await fetch(`${url}/account`, {
      headers: { ...as('sam', ['support']), 'impersonate-user': 'customer-42' },
    });
    assert.deepEqual(await res.json(), {
      user: 'customer-42',
      groups: [],
      actingFor: 'customer-42',
      by: 'sam',
    });
  });

  test('nobody changes a password while impersonating', async () => {
    const headers = { ...as('sam', ['support']), 'impersonate-user': 'customer-42' };
    assert.equal((await fetch(`${url}/account/password`, { method: 'POST', headers })).status, 403);
    assert.equal(
      (await fetch(`${url}/account/password`, { method: 'POST', headers: as('sam', ['support']) }))
        .status,
      204,
    );
  });

  test("the tickets controller's grants replace the global ones: helpdesk yes, support no", async () => {
    assert.equal(
      (
        await fetch(`${url}/tickets`, {
          headers: { ...as('hana', ['helpdesk']), 'impersonate-user': 'customer-42' },
        })
      ).status,
      200,
    );
    assert.equal(
      (
        await fetch(`${url}/tickets`, {
          headers: { ...as('sam', ['support']), 'impersonate-user': 'customer-42' },
        })
      ).status,
      403,
    );
  });
});

describe('examples/nest: Passport with PomeriumPassportGuard', () => {
  let url: string;
  before(async () => {
    url = await start(
      PassportAppModule.register({
        ...options,
        impersonation: { grants: [{ initiators: ['alice'], targets: ['bob'] }] },
      }),
    );
  });

  test('a known member gets their own record', async () => {
    const res = await fetch(`${url}/members/me`, { headers: as('alice', []) });
    assert.deepEqual(await res.json(), { id: 'alice', plan: 'pro' });
  });

  test('alice may act as bob, but not on the billing route (ForbidImpersonation applies)', async () => {
    const headers = { ...as('alice', []), 'impersonate-user': 'bob' };
    assert.deepEqual(await (await fetch(`${url}/members/me`, { headers })).json(), {
      id: 'bob',
      plan: 'free',
    });
    const billing = await fetch(`${url}/members/me/billing`, { headers });
    assert.equal(billing.status, 403);
    assert.deepEqual(await billing.json(), {
      error: 'impersonation_denied',
      error_description: 'Impersonation is not allowed',
    });
    const own = await fetch(`${url}/members/me/billing`, { headers: as('alice', []) });
    assert.deepEqual(await own.json(), { plan: 'pro' });
  });

  test('an unknown principal gets 401 invalid_token, with the JSON body', async () => {
    const res = await fetch(`${url}/members/me`, { headers: as('mallory', []) });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_token');
  });

  test('an expired assertion gets 401 with the challenge', async () => {
    const res = await fetch(`${url}/members/me`, {
      headers: assertionHeaders(
        issuer.mintAssertion({ sub: 'alice' }, { now: Math.floor(Date.now() / 1000) - 3600 }),
      ),
    });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
  });
});
