// A NestJS service behind Pomerium: every route needs a Pomerium identity (global guard),
// except the health check (public) and the catalog (anyone; members see their own prices);
// support staff may act as customers, but never on /account/password.
import 'reflect-metadata';
import { Controller, Get, Module, Post, HttpCode, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  AllowImpersonation,
  EffectiveUser,
  ForbidImpersonation,
  InitiatingUser,
  OptionalAuth,
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

@Controller('catalog')
export class CatalogController {
  // A credential is used when sent (and a bad one refused); without one, the visitor is anonymous.
  @OptionalAuth()
  @Get()
  catalog(@EffectiveUser('id') member: string | undefined) {
    return { prices: member ? 'member' : 'public', member: member ?? null };
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
  changePassword(@EffectiveUser('id') _user: string) {}
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
      controllers: [HealthController, CatalogController, AccountController, TicketsController],
      providers: [{ provide: APP_GUARD, useClass: PomeriumAuthGuard }],
    };
  }
}
