// No silent bypass: an app whose route decorators sit where only @nestjs/passport's
// AuthGuard('pomerium') guards (it cannot read them) does not start. Checked by
// PomeriumAuthModule and, in Passport-only apps, by PomeriumStrategy's start-up hook.
// In a file of its own: the strategy's check sees every decorated class of the process. The
// apps that PomeriumAuthModule must refuse have no strategy provider, so that its check alone
// answers for them.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Controller,
  Get,
  Injectable,
  Module,
  UseGuards,
  type ExecutionContext,
  type Type,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import {
  AllowImpersonation,
  ForbidImpersonation,
  OptionalAuth,
  PomeriumAuthModule,
  Public,
} from '@pomerium-auth/nest';
import { PomeriumPassportGuard } from '@pomerium-auth/nest/passport';
import { pomeriumAuthErrorOf } from '@pomerium-auth/passport';
import { assertionHeaders } from '@pomerium-auth/testing';
import { startNestApp, type RunningApp } from './nest-app.js';
import { issuerFixture, pomeriumStrategyProvider } from './fixtures.js';

const fx = issuerFixture({
  impersonation: { grants: [{ initiators: ['alice'], targets: ['*'] }] },
  audit: false,
});
const running: RunningApp[] = [];
after(() => Promise.all(running.map((app) => app.close())));

const strategy = (name = 'pomerium') => pomeriumStrategyProvider(name, fx.options);

/** The hand-written guard the README once showed: AuthGuard('pomerium') with better answers only. */
@Injectable()
class HandWrittenGuard extends AuthGuard('pomerium') {
  override handleRequest<T>(err: unknown, user: T, _info: unknown, context: ExecutionContext): T {
    if (user) return user;
    throw pomeriumAuthErrorOf(context.switchToHttp().getRequest<object>()) ?? err;
  }
}

async function refusedAtStart(module: Type<unknown>, where: string): Promise<void> {
  await assert.rejects(startNestApp(module, 'express'), (err: Error & { option?: string }) => {
    assert.equal(err.name, 'PomeriumAuthConfigError');
    assert.equal(err.option, 'guards');
    assert.ok(err.message.includes(where), `names ${where}: ${err.message}`);
    assert.match(err.message, /PomeriumPassportGuard from '@pomerium-auth\/nest\/passport'/);
    return true;
  });
}

// First: no decorated class is misguarded yet, so the strategy's check has nothing to find.
test("AuthGuard('pomerium') on routes without this package's decorators still starts and answers", async () => {
  @Controller('plain')
  @UseGuards(AuthGuard('pomerium'))
  class PlainController {
    @Get()
    plain() {
      return { ok: true };
    }
  }
  @Module({ controllers: [PlainController], providers: [strategy()] })
  class PlainApp {}
  const app = await startNestApp(PlainApp, 'express');
  running.push(app);
  assert.equal((await fetch(`${app.url}/plain`)).status, 401);
  const res = await fetch(`${app.url}/plain`, {
    headers: assertionHeaders(fx.issuer.mintAssertion({ sub: 'alice' })),
  });
  assert.deepEqual(await res.json(), { ok: true });
});

test('PomeriumPassportGuard with the decorators starts: it reads them', async () => {
  @Controller('read')
  @UseGuards(PomeriumPassportGuard)
  class ReadController {
    @Get()
    @ForbidImpersonation()
    read() {
      return { ok: true };
    }
  }
  @Module({
    imports: [PomeriumAuthModule.forRoot(fx.options)],
    controllers: [ReadController],
    providers: [strategy()],
  })
  class ReadApp {}
  const app = await startNestApp(ReadApp, 'express');
  running.push(app);
  const res = await fetch(`${app.url}/read`, {
    headers: {
      ...assertionHeaders(fx.issuer.mintAssertion({ sub: 'alice' })),
      'impersonate-user': 'bob',
    },
  });
  assert.equal(res.status, 403);
});

test("a guard of another strategy is not taken for AuthGuard('pomerium')", async () => {
  @Controller('other')
  @UseGuards(AuthGuard('some-other-strategy'))
  class OtherController {
    @Get()
    @ForbidImpersonation()
    other() {
      return { ok: true };
    }
  }
  @Module({ imports: [PomeriumAuthModule.forRoot(fx.options)], controllers: [OtherController] })
  class OtherApp {}
  running.push(await startNestApp(OtherApp, 'express'));
});

test("PomeriumAuthModule refuses to start with AuthGuard('pomerium') on a handler with ForbidImpersonation", async () => {
  @Controller('forbid')
  class ForbidController {
    @Get()
    @UseGuards(AuthGuard('pomerium'))
    @ForbidImpersonation()
    forbid() {
      return { ok: true };
    }
  }
  @Module({
    imports: [PomeriumAuthModule.forRoot(fx.options)],
    controllers: [ForbidController],
  })
  class ForbidApp {}
  await refusedAtStart(ForbidApp, 'ForbidController.forbid');
});

test("a subclass of AuthGuard('pomerium') that only changes the answers is refused too", async () => {
  @Controller('hand-written')
  @UseGuards(HandWrittenGuard)
  @OptionalAuth()
  class HandWrittenController {
    @Get()
    open() {
      return { ok: true };
    }
  }
  @Module({
    imports: [PomeriumAuthModule.forRoot(fx.options)],
    controllers: [HandWrittenController],
  })
  class HandWrittenApp {}
  await refusedAtStart(HandWrittenApp, 'HandWrittenController.open');
});

test("AuthGuard('pomerium') bound app-wide (APP_GUARD) with a Public route is refused", async () => {
  @Controller('health')
  class HealthController {
    @Get()
    @Public()
    health() {
      return { ok: true };
    }
  }
  @Module({
    imports: [PomeriumAuthModule.forRoot(fx.options)],
    controllers: [HealthController],
    providers: [strategy(), { provide: APP_GUARD, useClass: AuthGuard('pomerium') }],
  })
  class GlobalApp {}
  await refusedAtStart(GlobalApp, 'HealthController.health');
});

test("a Passport-only app (no PomeriumAuthModule) is refused by PomeriumStrategy's start-up hook", async () => {
  @Controller('tickets')
  @UseGuards(AuthGuard('pomerium'))
  class TicketsController {
    @Get()
    @AllowImpersonation({ initiators: ['group:helpdesk'], targets: ['user_*'] })
    tickets() {
      return { ok: true };
    }
  }
  @Module({ controllers: [TicketsController], providers: [strategy()] })
  class PassportOnlyApp {}
  await refusedAtStart(PassportOnlyApp, 'TicketsController.tickets');
});

test('AuthGuard of a PomeriumStrategy registered under another name is recognised too', async () => {
  @Controller('named')
  @UseGuards(AuthGuard('pomerium-named'))
  @ForbidImpersonation()
  class NamedController {
    @Get()
    named() {
      return { ok: true };
    }
  }
  @Module({ controllers: [NamedController], providers: [strategy('pomerium-named')] })
  class NamedApp {}
  await refusedAtStart(NamedApp, 'NamedController.named');
});
