// The conformance routes (see @pomerium-auth/adapter-conformance) as a NestJS app, guarded by
// PomeriumAuthGuard or, through @nestjs/passport and PomeriumStrategy, by PomeriumPassportGuard.
import {
  All,
  Catch,
  Controller,
  HttpCode,
  Injectable,
  Module,
  Req,
  UseGuards,
  type ArgumentsHost,
  type ExceptionFilter,
  type Type,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportStrategy } from '@nestjs/passport';
import {
  CONFORMANCE_ROUTE_GRANTS,
  whoamiBody,
  type ConformanceApp,
} from '@pomerium-auth/adapter-conformance';
import type { Identity, PomeriumAuthOptions } from '@pomerium-auth/core';
import {
  AllowImpersonation,
  ForbidImpersonation,
  PomeriumAuthException,
  PomeriumAuthGuard,
  PomeriumAuthModule,
  RequireAuthentication,
  type NestHttpRequest,
  type NestHttpResponse,
  type Principal,
} from '@pomerium-auth/nest';
import { pomeriumPassportGuard } from '@pomerium-auth/nest/passport';
import { PomeriumStrategy } from '@pomerium-auth/passport';
import { startNestApp, type Platform } from './nest-app.js';

/** How the guard is bound: app-wide with APP_GUARD, or on the controller with @UseGuards. */
export type Binding = 'APP_GUARD' | '@UseGuards';

/** Which guard authenticates: the module's, or @nestjs/passport's through PomeriumStrategy. */
export type GuardKind = 'PomeriumAuthGuard' | 'PomeriumPassportGuard';

/** The app's own error handling, for `onError: 'next'`: the error's status and headers, its own body. */
@Catch(PomeriumAuthException)
export class AppOwnErrorFilter implements ExceptionFilter<PomeriumAuthException> {
  catch(exception: PomeriumAuthException, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Required<NestHttpResponse>>();
    for (const [name, value] of Object.entries(exception.authError.headers))
      res.header(name, value);
    res.status(exception.getStatus());
    res.send({ statusCode: exception.getStatus(), message: 'handled by the app' });
  }
}

function body(req: NestHttpRequest) {
  return whoamiBody(req.pomerium, req.headers, req.user as Principal | undefined);
}

function conformanceController(): Type<unknown> {
  @Controller()
  class ConformanceController {
    @All('whoami')
    @HttpCode(200)
    whoami(@Req() req: NestHttpRequest) {
      return body(req);
    }

    @All('forbidden-impersonation')
    @HttpCode(200)
    @ForbidImpersonation()
    forbidden(@Req() req: NestHttpRequest) {
      return body(req);
    }

    @All('route-grants')
    @HttpCode(200)
    @AllowImpersonation(...CONFORMANCE_ROUTE_GRANTS)
    routeGrants(@Req() req: NestHttpRequest) {
      return body(req);
    }

    @All('require-authentication')
    @HttpCode(200)
    @RequireAuthentication()
    requireAuthentication(@Req() req: NestHttpRequest) {
      return body(req);
    }
  }
  return ConformanceController;
}

export function conformanceModule(options: PomeriumAuthOptions, binding: Binding): Type<unknown> {
  const controller = conformanceController();
  if (binding === '@UseGuards') UseGuards(PomeriumAuthGuard)(controller);

  @Module({
    imports: [PomeriumAuthModule.forRoot(options)],
    controllers: [controller],
    providers: binding === 'APP_GUARD' ? [{ provide: APP_GUARD, useClass: PomeriumAuthGuard }] : [],
  })
  class ConformanceModule {}
  return ConformanceModule;
}

let strategies = 0;

/**
 * The same routes behind PomeriumPassportGuard. Passport keeps strategies by name, in one
 * registry per process: each app gets a name of its own, so that apps with other options
 * running at the same time keep their own strategy.
 */
export function passportConformanceModule(
  options: PomeriumAuthOptions,
  binding: Binding,
): Type<unknown> {
  const name = `pomerium-conformance-${++strategies}`;
  @Injectable()
  class ConformanceStrategy extends PassportStrategy(PomeriumStrategy, name) {
    constructor() {
      super(options);
    }
    validate(identity: Identity): Principal {
      return identity.user;
    }
  }
  const guard = pomeriumPassportGuard(name);
  const controller = conformanceController();
  if (binding === '@UseGuards') UseGuards(guard)(controller);

  @Module({
    controllers: [controller],
    providers: [
      ConformanceStrategy,
      ...(binding === 'APP_GUARD' ? [{ provide: APP_GUARD, useClass: guard }] : []),
    ],
  })
  class PassportConformanceModule {}
  return PassportConformanceModule;
}

export async function startConformanceApp(
  options: PomeriumAuthOptions,
  platform: Platform,
  binding: Binding,
  guard: GuardKind = 'PomeriumAuthGuard',
): Promise<ConformanceApp> {
  const filters = options.onError === 'next' ? [new AppOwnErrorFilter()] : [];
  const module =
    guard === 'PomeriumAuthGuard'
      ? conformanceModule(options, binding)
      : passportConformanceModule(options, binding);
  return startNestApp(module, platform, filters);
}
