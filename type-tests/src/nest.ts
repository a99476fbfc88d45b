// NestJS: the parameter decorators take a property name checked against what they decorate
// with; the route decorators take what core's route rules take.
import 'reflect-metadata';
import { Controller, Get } from '@nestjs/common';
import {
  AllowImpersonation,
  EffectiveUser,
  ForbidImpersonation,
  InitiatingUser,
  OptionalAuth,
  PomeriumAuthModule,
  PomeriumIdentity,
  Public,
  RequirePolicy,
  type Identity,
  type Principal,
  type PropertyParamDecorator,
} from '@pomerium-auth/nest';
import { expectTypeOf } from './expect-type.js';

expectTypeOf(EffectiveUser).toEqualTypeOf<PropertyParamDecorator<Principal>>();
expectTypeOf(InitiatingUser).toEqualTypeOf<PropertyParamDecorator<Principal>>();
expectTypeOf(PomeriumIdentity).toEqualTypeOf<PropertyParamDecorator<Identity>>();
expectTypeOf<Parameters<typeof EffectiveUser>[0]>().toEqualTypeOf<keyof Principal | undefined>();

@Controller('orders')
export class OrdersController {
  @Get('me')
  me(
    @EffectiveUser() user: Principal,
    @EffectiveUser('email') email: string | undefined,
    @InitiatingUser('id') by: string,
    @PomeriumIdentity('impersonating') impersonating: boolean,
  ) {
    return { id: user.id, email, by, impersonating };
  }

  @Get('typo')
  typo(
    // @ts-expect-error 'emial' is no property of Principal
    @EffectiveUser('emial') email: string,
    // @ts-expect-error 'user' is a property of Identity, not of Principal
    @InitiatingUser('user') user: Principal,
  ) {
    return { email, user };
  }

  @Public()
  @Get('health')
  health() {
    return { ok: true };
  }

  @OptionalAuth()
  @Get('catalog')
  catalog() {
    return [];
  }

  @ForbidImpersonation()
  @AllowImpersonation({ initiators: ['group:support'], targets: ['user_*'], readOnly: true })
  @RequirePolicy({ allow: { or: [{ groups: { has: 'finance' } }] } })
  @Get('payments')
  payments() {
    return [];
  }
}

PomeriumAuthModule.forRoot({ audience: 'app.example.com' });
// @ts-expect-error a misspelt option is an excess property
PomeriumAuthModule.forRoot({ audiance: 'app.example.com' });
