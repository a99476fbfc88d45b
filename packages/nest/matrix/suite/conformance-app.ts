// The conformance routes (see @pomerium-auth/adapter-conformance) as a NestJS app.
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
  type NestHttpRequest,
  type NestHttpResponse,
  type Principal,
} from '@pomerium-auth/nest';
import { startNestApp, type Platform } from './nest-app.js';

/** How the guard is bound: app-wide with APP_GUARD, or on the controller with @UseGuards. */
export type Binding = 'APP_GUARD' | '@UseGuards';

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

export function conformanceModule(options: PomeriumAuthOptions, binding: Binding): Type<unknown> {
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
  if (binding === '@UseGuards') UseGuards(PomeriumAuthGuard)(ConformanceController);

  @Module({
    imports: [PomeriumAuthModule.forRoot(options)],
    controllers: [ConformanceController],
    providers: binding === 'APP_GUARD' ? [{ provide: APP_GUARD, useClass: PomeriumAuthGuard }] : [],
  })
  class ConformanceModule {}
  return ConformanceModule;
}

export async function startConformanceApp(
  options: PomeriumAuthOptions,
  platform: Platform,
  binding: Binding,
): Promise<ConformanceApp> {
  const filters = options.onError === 'next' ? [new AppOwnErrorFilter()] : [];
  return startNestApp(conformanceModule(options, binding), platform, filters);
}
