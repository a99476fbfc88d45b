// The CommonJS build on this run's NestJS: on NestJS 12, whose packages are ES modules, it loads
// them through Node's require(esm).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Controller, Get, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import * as esm from '@pomerium-auth/nest';
import * as esmPassport from '@pomerium-auth/nest/passport';
import { assertionHeaders, createTestIssuer, type TestIssuer } from '@pomerium-auth/testing';
import { startNestApp, type RunningApp } from './nest-app.js';

const require = createRequire(import.meta.url);
const cjs = require('@pomerium-auth/nest') as typeof esm;
const cjsPassport = require('@pomerium-auth/nest/passport') as typeof esmPassport;

let issuer: TestIssuer;
let app: RunningApp | undefined;
before(async () => {
  issuer = await createTestIssuer();
});
after(async () => {
  await app?.close();
  await issuer.close();
});

test('the CommonJS build exports what the ES module build exports, main entry and ./passport', () => {
  assert.deepEqual(Object.keys(cjs).sort(), Object.keys(esm).sort());
  assert.deepEqual(Object.keys(cjsPassport).sort(), Object.keys(esmPassport).sort());
  assert.notEqual(cjs.PomeriumAuthGuard, esm.PomeriumAuthGuard, 'two builds were loaded');
});

test('an app built with the CommonJS build authenticates', async () => {
  const keys = await issuer.serve();
  @Controller()
  class MeController {
    @Get('me')
    me(@cjs.EffectiveUser('id') id: string) {
      return { id };
    }
  }
  @Module({
    imports: [
      cjs.PomeriumAuthModule.forRoot({
        jwksUrl: keys.url,
        issuer: issuer.issuer,
        audience: issuer.audience,
        env: false,
        audit: false,
      }),
    ],
    controllers: [MeController],
    providers: [{ provide: APP_GUARD, useClass: cjs.PomeriumAuthGuard }],
  })
  class CommonJsApp {}
  app = await startNestApp(CommonJsApp, 'express');
  assert.equal((await fetch(`${app.url}/me`)).status, 401);
  const res = await fetch(`${app.url}/me`, {
    headers: assertionHeaders(issuer.mintAssertion({ sub: 'alice' })),
  });
  assert.deepEqual(await res.json(), { id: 'alice' });
});
