import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  isPomeriumAuthError,
  toAuthRequest,
  type Identity,
  type PomeriumAuth,
  type RouteRule,
} from '@pomerium-auth/core';
import { setErrorHeaders, type NestHttpResponse } from './error-response.js';
import type { NestHttpRequest } from './http-request.js';
import { PomeriumAuthException } from './pomerium-auth.exception.js';
import {
  PUBLIC_ROUTE_KEY,
  REQUIRE_AUTHENTICATION_KEY,
  ROUTE_RULE_KEY,
} from './route-decorators.js';
import { POMERIUM_AUTH } from './tokens.js';

/** Requests this guard already decided: a guard bound both globally and per controller decides once. */
const decided = new WeakSet<object>();

/**
 * Authenticates each HTTP request with the core, applying the route's impersonation rule
 * (`@ForbidImpersonation()` / `@AllowImpersonation()`, handler before controller) in the same
 * decision. Sets `request.pomerium` (the `Identity`) and `request.user` (the effective
 * principal; option `userProperty`, `false` to leave it). `@Public()` routes are skipped;
 * `@RequireAuthentication()` refuses anonymous requests when `required` is false.
 *
 * A refusal is thrown as a {@link PomeriumAuthException}. With `onError: 'respond'` (default)
 * the guard first sets the error's `WWW-Authenticate` / `Retry-After` headers, so Nest's own
 * exception handling answers with the same status, headers and JSON body as the Express
 * adapter; with `onError: 'next'` it leaves the response alone for your exception filters.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [PomeriumAuthModule.forRoot({ jwksUrl, audience: 'app.example.com' })],
 *   providers: [{ provide: APP_GUARD, useClass: PomeriumAuthGuard }],
 * })
 * export class AppModule {}
 * // or per controller / handler: @UseGuards(PomeriumAuthGuard)
 * ```
 */
@Injectable()
export class PomeriumAuthGuard implements CanActivate {
  constructor(
    @Inject(POMERIUM_AUTH) private readonly auth: PomeriumAuth,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_ROUTE_KEY, targets))
      return true;
    if (context.getType() !== 'http') {
      // Fail closed: other transports carry credentials elsewhere.
      throw new Error(`PomeriumAuthGuard supports HTTP only, not '${context.getType()}'`);
    }
    const http = context.switchToHttp();
    const request = http.getRequest<NestHttpRequest>();
    if (decided.has(request)) return true;
    const rule = this.reflector.getAllAndOverride<RouteRule | undefined>(ROUTE_RULE_KEY, targets);
    let identity: Identity | undefined;
    try {
      const authRequest = toAuthRequest(request);
      identity = await this.auth.authenticate(authRequest, rule);
      // Audits authentication_failed and throws 401 for an anonymous request.
      if (
        this.reflector.getAllAndOverride<boolean | undefined>(REQUIRE_AUTHENTICATION_KEY, targets)
      )
        identity = this.auth.requireIdentity(identity, authRequest);
    } catch (err) {
      if (!isPomeriumAuthError(err)) throw err;
      if (this.auth.options.onError !== 'next')
        setErrorHeaders(http.getResponse<NestHttpResponse>(), err);
      throw new PomeriumAuthException(err);
    }
    decided.add(request);
    request.pomerium = identity;
    const userProperty = this.auth.options.userProperty ?? 'user';
    if (identity && userProperty !== false) request[userProperty] = identity.user;
    return true;
  }
}
