import 'reflect-metadata';
import { Controller, Get, Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import {
  EffectiveUser,
  PomeriumAuthGuard,
  PomeriumAuthModule,
  type Principal,
} from '@pomerium-auth/nest';
import type { StartApp } from './serve.js';

@Controller()
class MeController {
  @Get('me')
  me(@EffectiveUser() user: Principal) {
    return { id: user.id, groups: user.groups };
  }
}

export const start: StartApp = async (options) => {
  @Module({
    imports: [PomeriumAuthModule.forRoot(options) as DynamicModule],
    controllers: [MeController],
    providers: [{ provide: APP_GUARD, useClass: PomeriumAuthGuard }],
  })
  class AppModule {}

  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  return { url: await app.getUrl(), close: () => app.close() };
};
