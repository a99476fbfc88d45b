import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { PomeriumAuthError } from '@pomerium-auth/core';
import { writeErrorResponse, type NestHttpResponse } from './error-response.js';
import { PomeriumAuthException } from './pomerium-auth.exception.js';

/**
 * Answers a `PomeriumAuthException` (or a bare `PomeriumAuthError`, e.g. from
 * `auth.authorizeRoute` in a handler) with its status, `WWW-Authenticate` / `Retry-After`
 * headers and JSON body, on `@nestjs/platform-express` and `@nestjs/platform-fastify`.
 *
 * The guard's default (`onError: 'respond'`) needs no filter: it sets the headers itself and
 * Nest writes the body. Bind this filter when your own filters would otherwise handle the
 * error: with `onError: 'next'`, or to rescue the answer from a catch-all filter.
 *
 * @example
 * ```ts
 * const app = await NestFactory.create(AppModule);
 * app.useGlobalFilters(new PomeriumAuthExceptionFilter());
 * // or per controller: @UseFilters(PomeriumAuthExceptionFilter)
 * ```
 */
@Catch(PomeriumAuthException, PomeriumAuthError)
export class PomeriumAuthExceptionFilter implements ExceptionFilter<
  PomeriumAuthException | PomeriumAuthError
> {
  catch(exception: PomeriumAuthException | PomeriumAuthError, host: ArgumentsHost): void {
    const err = exception instanceof PomeriumAuthException ? exception.authError : exception;
    writeErrorResponse(host.switchToHttp().getResponse<NestHttpResponse>(), err);
  }
}
