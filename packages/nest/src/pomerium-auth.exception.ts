import { HttpException } from '@nestjs/common';
import type { PomeriumAuthError, PomeriumAuthErrorBody } from '@pomerium-auth/core';

/**
 * What `PomeriumAuthGuard` throws: an `HttpException` whose status and response body are the
 * core error's (`{ error, error_description }`), so Nest's own exception handling answers
 * exactly as the Express adapter does. The core error is `authError` (and `cause`); the
 * message is its client-safe description. In a GraphQL answer (Apollo driver) it becomes an
 * error with code `UNAUTHENTICATED` or `FORBIDDEN` and `extensions.originalError`
 * `{ statusCode, error, error_description }`.
 *
 * @example
 * ```ts
 * @Catch(PomeriumAuthException)
 * class AuthProblemFilter implements ExceptionFilter {
 *   catch(exception: PomeriumAuthException, host: ArgumentsHost) {
 *     metrics.increment(`auth.${exception.authError.reason}`);
 *     new PomeriumAuthExceptionFilter().catch(exception, host);
 *   }
 * }
 * ```
 */
export class PomeriumAuthException extends HttpException {
  /** The core error: `status`, `error`, `reason` (internal, for logs), `headers`. */
  readonly authError: PomeriumAuthError;

  constructor(authError: PomeriumAuthError) {
    // With `statusCode`, as Nest's own HttpExceptions hold it: GraphQL drivers read this (not
    // getResponse()) to tell an HttpException and give it its GraphQL error code.
    super({ statusCode: authError.status, ...authError.toJSON() }, authError.status, {
      cause: authError,
      description: authError.description,
    });
    this.authError = authError;
    this.message = authError.description;
  }

  override getResponse(): PomeriumAuthErrorBody {
    return this.authError.toJSON();
  }
}
