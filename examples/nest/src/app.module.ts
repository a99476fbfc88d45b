// A NestJS service behind Pomerium: every route needs a Pomerium identity (global guard),
// except the health check; support staff may act as customers, but never on /account/password.
import 'reflect-metadata';
import { Controller, Get, Module, Post, HttpCode, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  AllowImpersonation,
  EffectiveUser,
  ForbidImpersonation,
  InitiatingUser,
  PomeriumAuthGuard,
  PomeriumAuthModule,
  PomeriumIdentity,
  Public,
  type Identity,
  type PomeriumAuthOptions,
  type Principal,
} from '@pomerium-auth/nest';

@Controller()
export class HealthController {
  @Public()
  @Get('health')
  health() {
    return { ok: true };
  }
}

@Controller('account')
export class AccountController {
  @Get()
  account(
    @EffectiveUser() user: Principal,
    @InitiatingUser() initiator: Principal,
    @PomeriumIdentity() identity: Identity,
  ) {
    return {
      user: user.id,
      groups: user.groups,
      actingFor: identity.impersonating ? user.id : null,
      by: initiator.id,
    };
  }

  // Sensitive: nobody changes a password while acting as someone else.
  @Post('password')
  @HttpCode(204)
  @ForbidImpersonation()
  changePassword() {}
}

@Controller('tickets')
// On this controller only the helpdesk may impersonate, and only to read.
@AllowImpersonation({
  name: 'helpdesk-read',
  initiators: ['group:helpdesk'],
  targets: ['customer-*'],
  readOnly: true,
})
export class TicketsController {
  @Get()
  list(@EffectiveUser() user: Principal) {
    return { tickets: [], owner: user.id };
  }
}

@Module({})
export class AppModule {
  static register(options: PomeriumAuthOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PomeriumAuthModule.forRoot({
          // jwksUrl, audience and the shared secret may also come from POMERIUM_* variables.
          impersonation: {
            grants: [{ name: 'support', initiators: ['group:support'], targets: ['customer-*'] }],
            protect: ['group:admins'],
          },
          ...options,
        }),
      ],
      controllers: [HealthController, AccountController, TicketsController],
      providers: [{ provide: APP_GUARD, useClass: PomeriumAuthGuard }],
    };
  }
}
