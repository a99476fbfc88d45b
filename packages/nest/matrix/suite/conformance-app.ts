// The conformance routes (see @pomerium-auth/adapter-conformance) as a NestJS app, guarded by
// PomeriumAuthGuard or, through @nestjs/passport and PomeriumStrategy, by PomeriumPassportGuard.
import {
  All,
  Catch,
  Controller,
  HttpCode,
  Module,
  Req,
  UseGuards,
  type ArgumentsHost,
  type ExceptionFilter,
  type Type,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  CONFORMANCE_POLICY,
  CONFORMANCE_ROUTE_GRANTS,
  whoamiBody,
  type ConformanceApp,
} from '@pomerium-auth/adapter-conformance';
import type { PomeriumAuthOptions } from '@pomerium-auth/core';
import {
  AllowImpersonation,
  ForbidImpersonation,
  PomeriumAuthException,
  PomeriumAuthGuard,
  PomeriumAuthModule,
  RequireAuthentication,
  RequirePolicy,
  type NestHttpRequest,
  type NestHttpResponse,
  type Principal,
} from '@pomerium-auth/nest';
import { pomeriumPassportGuard } from '@pomerium-auth/nest/passport';
import { startNestApp, type Platform } from './nest-app.js';
import { pomeriumStrategyProvider } from './fixtures.js';

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

    @All('slow-forbidden-impersonation')
    @HttpCode(200)
    @ForbidImpersonation()
    slowForbidden(@Req() req: NestHttpRequest) {
      return body(req);
    }

    @All('policy')
    @HttpCode(200)
    @RequirePolicy(CONFORMANCE_POLICY)
    policy(@Req() req: NestHttpRequest) {
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

/** The same routes behind PomeriumPassportGuard, with a strategy of the app's own name. */
export function passportConformanceModule(
  options: PomeriumAuthOptions,
  binding: Binding,
): Type<unknown> {
  const name = `pomerium-conformance-${++strategies}`;
  const guard = pomeriumPassportGuard(name);
  const controller = conformanceController();
  if (binding === '@UseGuards') UseGuards(guard)(controller);

  @Module({
    controllers: [controller],
    providers: [
      pomeriumStrategyProvider(name, options),
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
