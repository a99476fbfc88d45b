// @OptionalAuth() and @RequireAuthentication() per route, whatever `required` says app-wide,
// under PomeriumAuthGuard and PomeriumPassportGuard alike.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Controller, Get, Module, UseGuards, type Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { PomeriumAuthOptions } from '@pomerium-auth/core';
import {
  EffectiveUser,
  OptionalAuth,
  PomeriumAuthGuard,
  PomeriumAuthModule,
  RequireAuthentication,
} from '@pomerium-auth/nest';
import { pomeriumPassportGuard } from '@pomerium-auth/nest/passport';
import { assertionHeaders } from '@pomerium-auth/testing';
import { PLATFORMS, startNestApp, type RunningApp } from './nest-app.js';
import { issuerFixture, pomeriumStrategyProvider } from './fixtures.js';

@Controller()
class ArticlesController {
  @OptionalAuth()
  @Get('articles')
  articles(@EffectiveUser('id') user: string | undefined) {
    return { user: user ?? null };
  }

  @Get('drafts')
  drafts(@EffectiveUser('id') user: string | undefined) {
    return { user: user ?? null };
  }
}

// Handler over controller, both ways.
@Controller('optional')
@OptionalAuth()
class OptionalController {
  @Get('open')
  open(@EffectiveUser('id') user: string | undefined) {
    return { user: user ?? null };
  }

  @RequireAuthentication()
  @Get('closed')
  closed(@EffectiveUser('id') user: string) {
    return { user };
  }
}

@Controller('required')
@RequireAuthentication()
class RequiredController {
  @OptionalAuth()
  @Get('open')
  open(@EffectiveUser('id') user: string | undefined) {
    return { user: user ?? null };
  }

  @Get('closed')
  closed(@EffectiveUser('id') user: string) {
    return { user };
  }
}

const controllers = [ArticlesController, OptionalController, RequiredController];

function guardModule(options: PomeriumAuthOptions): Type<unknown> {
  @Module({
    imports: [PomeriumAuthModule.forRoot(options)],
    controllers,
    providers: [{ provide: APP_GUARD, useClass: PomeriumAuthGuard }],
  })
  class GuardModule {}
  return GuardModule;
}

let strategies = 0;
function passportModule(options: PomeriumAuthOptions): Type<unknown> {
  const name = `pomerium-optional-${++strategies}`;
  const guard = pomeriumPassportGuard(name);
  // Fresh controller classes: @UseGuards on the shared ones would reach the other apps.
  const guarded = controllers.map((c) => {
    const sub = class extends (c as new () => object) {};
    Object.defineProperty(sub, 'name', { value: c.name });
    for (const key of Reflect.getMetadataKeys(c))
      Reflect.defineMetadata(key, Reflect.getMetadata(key, c), sub);
    UseGuards(guard)(sub);
    return sub;
  });
  @Module({ controllers: guarded, providers: [pomeriumStrategyProvider(name, options)] })
  class PassportModule {}
  return PassportModule;
}

const fx = issuerFixture({
  impersonation: { grants: [{ initiators: ['alice'], targets: ['*'] }] },
  audit: false,
});

const alice = () => assertionHeaders(fx.issuer.mintAssertion({ sub: 'alice' }));
const wrongAudience = () =>
  assertionHeaders(fx.issuer.mintAssertion({ sub: 'alice', aud: 'other.example.com' }));

interface Row {
  name: string;
  path: string;
  required?: boolean;
  send: () => Record<string, string>;
  status: number;
  user?: string | null;
  error?: string;
}

const rows: Row[] = [
  {
    name: 'lets an anonymous request through',
    path: '/articles',
    send: () => ({}),
    status: 200,
    user: null,
  },
  {
    name: 'authenticates a request with a credential',
    path: '/articles',
    send: alice,
    status: 200,
    user: 'alice',
  },
  {
    name: 'still refuses a bad credential',
    path: '/articles',
    send: wrongAudience,
    status: 401,
    error: 'invalid_token',
  },
  {
    name: 'still asks for a credential with an impersonation header',
    path: '/articles',
    send: () => ({ 'impersonate-user': 'bob' }),
    status: 401,
    error: 'credentials_required',
  },
  {
    // As everywhere in the suite (and with required: false app-wide): another scheme is no Pomerium credential.
    name: 'takes an Authorization header of another scheme as no credential: anonymous',
    path: '/articles',
    send: () => ({ authorization: 'Basic YWxpY2U6c2VjcmV0' }),
    status: 200,
    user: null,
  },
  {
    name: 'still applies impersonation when a credential asks for it',
    path: '/articles',
    send: () => ({ ...alice(), 'impersonate-user': 'bob' }),
    status: 200,
    user: 'bob',
  },
  {
    name: 'leaves the other routes required',
    path: '/drafts',
    send: () => ({}),
    status: 401,
    error: 'credentials_required',
  },
  {
    name: "a handler's RequireAuthentication overrides its controller's OptionalAuth",
    path: '/optional/closed',
    send: () => ({}),
    status: 401,
    error: 'credentials_required',
  },
  {
    name: "a controller's OptionalAuth covers its handlers",
    path: '/optional/open',
    send: () => ({}),
    status: 200,
    user: null,
  },
  {
    name: "a handler's OptionalAuth overrides its controller's RequireAuthentication (required: false)",
    path: '/required/open',
    required: false,
    send: () => ({}),
    status: 200,
    user: null,
  },
  {
    name: "a controller's RequireAuthentication refuses anonymous requests (required: false)",
    path: '/required/closed',
    required: false,
    send: () => ({}),
    status: 401,
    error: 'credentials_required',
  },
];

const guards = {
  PomeriumAuthGuard: guardModule,
  PomeriumPassportGuard: passportModule,
};

for (const [guardName, moduleFor] of Object.entries(guards)) {
  for (const platform of PLATFORMS) {
    describe(`OptionalAuth with ${guardName} on ${platform}`, () => {
      const apps = new Map<boolean, Promise<RunningApp>>();
      const appFor = (required: boolean) => {
        let app = apps.get(required);
        if (!app) {
          app = startNestApp(moduleFor({ ...fx.options, required }), platform);
          apps.set(required, app);
        }
        return app;
      };
      after(async () => Promise.all([...apps.values()].map(async (a) => (await a).close())));

      for (const row of rows) {
        test(row.name, async () => {
          const { url } = await appFor(row.required ?? true);
          const res = await fetch(`${url}${row.path}`, { headers: row.send() });
          const body = (await res.json()) as { user?: string | null; error?: string };
          assert.equal(res.status, row.status, JSON.stringify(body));
          if (row.status === 200) {
            assert.equal(body.user, row.user);
            assert.equal(res.headers.get('www-authenticate'), null, 'no challenge on a pass');
          } else {
            assert.equal(body.error, row.error);
            assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer realm="pomerium"/);
          }
        });
      }
    });
  }
}
