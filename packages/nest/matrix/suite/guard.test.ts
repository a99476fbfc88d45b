import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Controller,
  Get,
  Inject,
  Injectable,
  Module,
  Post,
  Req,
  UseFilters,
  UseGuards,
  HttpCode,
  type DynamicModule,
  type Type,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { Grant, PomeriumAuthOptions } from '@pomerium-auth/core';
import {
  AllowImpersonation,
  EffectiveUser,
  ForbidImpersonation,
  InitiatingUser,
  POMERIUM_AUTH,
  PomeriumAuthError,
  PomeriumAuthExceptionFilter,
  PomeriumAuthGuard,
  PomeriumAuthModule,
  PomeriumIdentity,
  Public,
  type Identity,
  type NestHttpRequest,
  type PomeriumAuth,
  type PomeriumAuthOptionsFactory,
  type Principal,
} from '@pomerium-auth/nest';
import { assertionHeaders, serviceAccountHeaders } from '@pomerium-auth/testing';
import { PLATFORMS, startNestApp, type RunningApp } from './nest-app.js';
import { issuerFixture } from './fixtures.js';

const support: Grant = { name: 'support', initiators: ['group:admins'], targets: ['user_*'] };
const helpdesk: Grant = { name: 'helpdesk', initiators: ['group:helpdesk'], targets: ['user_*'] };

@Controller('items')
@ForbidImpersonation()
class ItemsController {
  @Get('me')
  me(
    @EffectiveUser() user: Principal,
    @InitiatingUser() initiator: Principal,
    @PomeriumIdentity() identity: Identity,
  ) {
    return { user: user.id, initiator: initiator.id, source: identity.credential.source };
  }

  // The handler's rule overrides the controller's.
  @Get('helpdesk')
  @AllowImpersonation(helpdesk)
  helpdesk(@EffectiveUser() user: Principal, @InitiatingUser() initiator: Principal) {
    return { user: user.id, initiator: initiator.id };
  }

  @Public()
  @Get('health')
  health(@EffectiveUser() user: Principal | undefined, @Req() req: NestHttpRequest) {
    return { ok: true, user: user ?? null, pomerium: req.pomerium ?? null };
  }
}

@Controller('properties')
class PropertiesController {
  @Get()
  properties(
    @EffectiveUser('email') email: string | undefined,
    @EffectiveUser('groups') groups: string[],
    @InitiatingUser('id') by: string,
    @PomeriumIdentity('impersonating') impersonating: boolean,
    @PomeriumIdentity('credential') credential: Identity['credential'],
  ) {
    return { email, groups, by, impersonating, source: credential.source };
  }

  @Public()
  @Get('public')
  anonymous(@EffectiveUser('email') email: string | undefined) {
    return { email: email ?? null };
  }
}

// The property names are checked: a misspelt one does not compile.
export function misspelt(): void {
  // @ts-expect-error 'mail' is not a property of Principal
  EffectiveUser('mail');
  // @ts-expect-error 'impersonated' is not a property of Identity
  PomeriumIdentity('impersonated');
}

@Controller('raw')
class RawController {
  constructor(@Inject(POMERIUM_AUTH) private readonly auth: PomeriumAuth) {}

  @Get('fields')
  fields(@Req() req: NestHttpRequest) {
    return {
      pomerium: req.pomerium?.user.id ?? null,
      user: (req.user as Principal | undefined)?.id ?? null,
      principal: (req.principal as Principal | undefined)?.id ?? null,
    };
  }

  // A handler that narrows after the fact throws a bare PomeriumAuthError; the filter answers it.
  @Post('narrow')
  @HttpCode(200)
  @UseFilters(PomeriumAuthExceptionFilter)
  narrow(@Req() req: NestHttpRequest) {
    this.auth.authorizeRoute(
      req.pomerium,
      { method: req.method, url: req.url, headers: req.headers },
      { impersonation: 'forbid' },
    );
    return { ok: true };
  }
}

function appModule(
  options: PomeriumAuthOptions,
  controllers: Type<unknown>[],
  guard: 'global' | 'twice' = 'global',
): Type<unknown> {
  @Module({
    imports: [PomeriumAuthModule.forRoot(options)],
    controllers,
    providers: [{ provide: APP_GUARD, useClass: PomeriumAuthGuard }],
  })
  class AppModule {}
  if (guard === 'twice') for (const c of controllers) UseGuards(PomeriumAuthGuard)(c);
  return AppModule;
}

const fx = issuerFixture({ impersonation: { grants: [support] } });

const as = (sub: string, groups: string[] = []) =>
  assertionHeaders(
    fx.issuer.mintAssertion({ sub, user: sub, email: `${sub}@corp.example`, groups }),
  );

/** The app's own configuration module: its options name the user property 'principal'. */
@Injectable()
class Config {
  get(): PomeriumAuthOptions {
    return { ...fx.options, userProperty: 'principal' };
  }
}
@Module({ providers: [Config], exports: [Config] })
class ConfigModule {}

/** RawController behind a global guard, with PomeriumAuthModule configured by `pomerium`. */
function asyncApp(pomerium: DynamicModule): Type<unknown> {
  @Module({
    imports: [pomerium],
    controllers: [RawController],
    providers: [{ provide: APP_GUARD, useClass: PomeriumAuthGuard }],
  })
  class AsyncModule {}
  return AsyncModule;
}

const fieldsOf = async (url: string, sub: string) =>
  (await fetch(`${url}/raw/fields`, { headers: as(sub) })).json();

for (const platform of PLATFORMS) {
  describe(`nest on ${platform}`, () => {
    const apps: RunningApp[] = [];
    const start = async (module: Type<unknown>) => {
      const app = await startNestApp(module, platform);
      apps.push(app);
      return app.url;
    };
    after(() => Promise.all(apps.map((a) => a.close())));

    test('the parameter decorators give the effective user, the initiator and the identity', async () => {
      const url = await start(appModule(fx.options, [ItemsController]));
      const res = await fetch(`${url}/items/me`, {
        headers: serviceAccountHeaders(
          fx.issuer.mintServiceAccountToken({ id: 'sa-1', userId: 'bot' }),
          'authorization-pomerium',
        ),
      });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), {
        user: 'bot',
        initiator: 'bot',
        source: 'authorization-pomerium',
      });
    });

    test('the parameter decorators take a property name: the value of that property', async () => {
      const url = await start(appModule(fx.options, [PropertiesController]));
      const res = await fetch(`${url}/properties`, {
        headers: { ...as('alice', ['admins']), 'impersonate-user': 'user_1' },
      });
      assert.equal(res.status, 200);
      // Without a directory the target is taken as named: no email (left out of the JSON).
      assert.deepEqual(await res.json(), {
        groups: [],
        by: 'alice',
        impersonating: true,
        source: 'assertion',
      });
      const own = await fetch(`${url}/properties`, { headers: as('alice', ['admins']) });
      assert.deepEqual(await own.json(), {
        email: 'alice@corp.example',
        groups: ['admins'],
        by: 'alice',
        impersonating: false,
        source: 'assertion',
      });
      const anonymous = await fetch(`${url}/properties/public`);
      assert.deepEqual(await anonymous.json(), { email: null });
    });

    test('a controller-level ForbidImpersonation refuses impersonation with the one 403 body', async () => {
      const url = await start(appModule(fx.options, [ItemsController]));
      const res = await fetch(`${url}/items/me`, {
        headers: { ...as('alice', ['admins']), 'impersonate-user': 'user_1' },
      });
      assert.equal(res.status, 403);
      assert.deepEqual(await res.json(), {
        error: 'impersonation_denied',
        error_description: 'Impersonation is not allowed',
      });
    });

    test("a handler's AllowImpersonation overrides the controller's rule and replaces the global grants", async () => {
      const url = await start(appModule(fx.options, [ItemsController]));
      const granted = await fetch(`${url}/items/helpdesk`, {
        headers: { ...as('dave', ['helpdesk']), 'impersonate-user': 'user_7' },
      });
      assert.equal(granted.status, 200);
      assert.deepEqual(await granted.json(), { user: 'user_7', initiator: 'dave' });
      const globalOnly = await fetch(`${url}/items/helpdesk`, {
        headers: { ...as('alice', ['admins']), 'impersonate-user': 'user_7' },
      });
      assert.equal(globalOnly.status, 403);
    });

    test('Public routes skip the guard: no credential needed, nothing set on the request', async () => {
      const url = await start(appModule(fx.options, [ItemsController]));
      const res = await fetch(`${url}/items/health`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { ok: true, user: null, pomerium: null });
    });

    test('userProperty names the request field of the effective principal; false leaves it alone', async () => {
      const named = await start(
        appModule({ ...fx.options, userProperty: 'principal' }, [RawController]),
      );
      assert.deepEqual(
        await (await fetch(`${named}/raw/fields`, { headers: as('alice') })).json(),
        { pomerium: 'alice', user: null, principal: 'alice' },
      );
      const none = await start(appModule({ ...fx.options, userProperty: false }, [RawController]));
      assert.deepEqual(await (await fetch(`${none}/raw/fields`, { headers: as('alice') })).json(), {
        pomerium: 'alice',
        user: null,
        principal: null,
      });
    });

    test('a guard bound both globally and on the controller decides once (one audit event)', async () => {
      const url = await start(appModule(fx.options, [RawController], 'twice'));
      const requestId = `twice-${platform}`;
      const res = await fetch(`${url}/raw/fields`, {
        headers: {
          ...as('alice', ['admins']),
          'impersonate-user': 'user_1',
          'x-request-id': requestId,
        },
      });
      assert.deepEqual(await res.json(), { pomerium: 'user_1', user: 'user_1', principal: null });
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(
        fx.events.filter((e) => e.request.request_id === requestId).map((e) => e.event),
        ['impersonation_granted'],
      );
    });

    test('PomeriumAuthExceptionFilter answers a bare PomeriumAuthError from a handler with the JSON body', async () => {
      const url = await start(appModule(fx.options, [RawController]));
      const res = await fetch(`${url}/raw/narrow`, {
        method: 'POST',
        headers: { ...as('alice', ['admins']), 'impersonate-user': 'user_1' },
      });
      assert.equal(res.status, 403);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      assert.deepEqual(await res.json(), {
        error: 'impersonation_denied',
        error_description: 'Impersonation is not allowed',
      });
    });

    test("onError 'next' without a filter of the app's: Nest's own handling answers the status and body, the guard adds no headers", async () => {
      const url = await start(appModule({ ...fx.options, onError: 'next' }, [RawController]));
      const res = await fetch(`${url}/raw/fields`);
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('www-authenticate'), null);
      assert.deepEqual(await res.json(), {
        error: 'credentials_required',
        error_description: 'Authentication is required',
      });
    });

    test('forRootAsync takes options from a factory with injected providers', async () => {
      const url = await start(
        asyncApp(
          PomeriumAuthModule.forRootAsync({
            imports: [ConfigModule],
            inject: [Config],
            useFactory: (config: Config) => Promise.resolve(config.get()),
          }),
        ),
      );
      assert.deepEqual(await fieldsOf(url, 'alice'), {
        pomerium: 'alice',
        user: null,
        principal: 'alice',
      });
    });

    test('forRootAsync takes options from a factory class (useClass), with its own injections', async () => {
      @Injectable()
      class PomeriumConfig implements PomeriumAuthOptionsFactory {
        constructor(@Inject(Config) private readonly config: Config) {}
        createPomeriumAuthOptions(): PomeriumAuthOptions {
          return this.config.get();
        }
      }
      const url = await start(
        asyncApp(
          PomeriumAuthModule.forRootAsync({ imports: [ConfigModule], useClass: PomeriumConfig }),
        ),
      );
      assert.deepEqual(await fieldsOf(url, 'alice'), {
        pomerium: 'alice',
        user: null,
        principal: 'alice',
      });
    });

    test('forRootAsync takes options from an existing provider of an imported module (useExisting)', async () => {
      let made = 0;
      @Injectable()
      class SharedConfig implements PomeriumAuthOptionsFactory {
        createPomeriumAuthOptions(): Promise<PomeriumAuthOptions> {
          made++;
          return Promise.resolve({ ...fx.options, userProperty: false });
        }
      }
      @Module({ providers: [SharedConfig], exports: [SharedConfig] })
      class SharedConfigModule {}
      const url = await start(
        asyncApp(
          PomeriumAuthModule.forRootAsync({
            imports: [SharedConfigModule],
            useExisting: SharedConfig,
          }),
        ),
      );
      assert.deepEqual(await fieldsOf(url, 'alice'), {
        pomerium: 'alice',
        user: null,
        principal: null,
      });
      assert.equal(made, 1);
    });

    test('forRootAsync without exactly one of useFactory, useClass, useExisting is refused when called', () => {
      const factory = () => fx.options;
      class Factory implements PomeriumAuthOptionsFactory {
        createPomeriumAuthOptions() {
          return fx.options;
        }
      }
      for (const options of [{}, { useFactory: factory, useClass: Factory }]) {
        assert.throws(() => PomeriumAuthModule.forRootAsync(options), {
          name: 'PomeriumAuthConfigError',
          message: /forRootAsync.*exactly one of useFactory, useClass and useExisting/,
        });
      }
    });

    test('bad options fail while the app starts, naming the option', async () => {
      await assert.rejects(
        startNestApp(appModule({ ...fx.options, clockTolerance: -1 }, [RawController]), platform),
        (err: Error) => {
          assert.equal(err.name, 'PomeriumAuthConfigError');
          assert.match(err.message, /clockTolerance/);
          return true;
        },
      );
    });
  });
}

test('AllowImpersonation checks its grants when it decorates, not at the first request', () => {
  assert.throws(() => AllowImpersonation({ initiators: ['group:admins'], targets: ['/[/'] }), {
    name: 'PomeriumAuthConfigError',
  });
});

test('the package re-exports the core error class, so filters can catch it by class', () => {
  assert.equal(new PomeriumAuthError('invalid_token', 'bad_signature').status, 401);
});
