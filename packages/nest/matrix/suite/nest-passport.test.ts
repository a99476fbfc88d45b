// @pomerium-auth/passport under @nestjs/passport, on this run's NestJS: PomeriumPassportGuard,
// and the plain AuthGuard('pomerium').
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Controller, Get, Injectable, Module, Req, UseGuards, type Type } from '@nestjs/common';
import { AuthGuard, PassportStrategy } from '@nestjs/passport';
import type { Identity, PomeriumAuthOptions } from '@pomerium-auth/core';
import type { NestHttpRequest } from '@pomerium-auth/nest';
import { PomeriumPassportGuard } from '@pomerium-auth/nest/passport';
import { PomeriumStrategy } from '@pomerium-auth/passport';
import { assertionHeaders, createTestIssuer, type TestIssuer } from '@pomerium-auth/testing';
import { startNestApp, type RunningApp } from './nest-app.js';

interface AppUser {
  name: string;
  roles: string[];
}
const users = new Map<string, AppUser>([['alice', { name: 'Alice', roles: ['admin'] }]]);

@Controller()
class ProfileController {
  @Get('default-guard')
  @UseGuards(AuthGuard('pomerium'))
  plain() {
    return { ok: true };
  }

  @Get('profile')
  @UseGuards(PomeriumPassportGuard)
  profile(@Req() req: NestHttpRequest) {
    return { user: req.user, pomerium: req.pomerium?.user.id ?? null };
  }
}

function appModule(options: PomeriumAuthOptions): Type<unknown> {
  @Injectable()
  class PomeriumPassport extends PassportStrategy(PomeriumStrategy, 'pomerium') {
    constructor() {
      super({ ...options, passReqToCallback: true });
    }
    validate(req: NestHttpRequest, identity: Identity): AppUser | false {
      assert.ok(req.headers, 'passReqToCallback hands the request first');
      return users.get(identity.user.id) ?? false;
    }
  }
  @Module({ controllers: [ProfileController], providers: [PomeriumPassport] })
  class AppModule {}
  return AppModule;
}

let issuer: TestIssuer;
let app: RunningApp;
before(async () => {
  issuer = await createTestIssuer();
  const keys = await issuer.serve();
  app = await startNestApp(
    appModule({
      jwksUrl: keys.url,
      issuer: issuer.issuer,
      audience: issuer.audience,
      audit: false,
      env: false,
      logger: { warn: () => undefined },
    }),
    'express',
  );
});
after(async () => {
  await app?.close();
  await issuer?.close();
});

describe('PomeriumStrategy with @nestjs/passport', () => {
  test("PomeriumPassportGuard lets a known user in, with the app's own user from validate()", async () => {
    const res = await fetch(`${app.url}/profile`, {
      headers: assertionHeaders(issuer.mintAssertion({ sub: 'alice' })),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      user: { name: 'Alice', roles: ['admin'] },
      pomerium: 'alice',
    });
  });

  test('a principal validate() does not know gets 401 invalid_token with the RFC 6750 challenge', async () => {
    const res = await fetch(`${app.url}/profile`, {
      headers: assertionHeaders(issuer.mintAssertion({ sub: 'mallory' })),
    });
    assert.equal(res.status, 401);
    assert.match(
      res.headers.get('www-authenticate') ?? '',
      /^Bearer realm="pomerium", error="invalid_token"/,
    );
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_token');
  });

  test('a refused impersonation keeps its 403 and JSON body', async () => {
    const res = await fetch(`${app.url}/profile`, {
      headers: {
        ...assertionHeaders(issuer.mintAssertion({ sub: 'alice' })),
        'impersonate-user': 'bob',
      },
    });
    assert.equal(res.status, 403);
    assert.deepEqual(await res.json(), {
      error: 'impersonation_denied',
      error_description: 'Impersonation is not allowed',
    });
  });

  test("the plain AuthGuard('pomerium') answers 401 as @nestjs/passport does", async () => {
    const res = await fetch(`${app.url}/default-guard`);
    assert.equal(res.status, 401);
  });
});
