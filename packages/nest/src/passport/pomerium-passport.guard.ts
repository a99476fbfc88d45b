import {
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
  type Type,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import {
  isPomeriumAuthError,
  type PomeriumAuth,
  type PomeriumAuthError,
  type RouteRule,
} from '@pomerium-auth/core';
import { pomeriumAuthErrorOf } from '@pomerium-auth/passport';
import { guardedRequestOf, identityHolderOf, type GuardedRequest } from '../context-request.js';
import { setErrorHeaders } from '../error-response.js';
import type { NestHttpRequest } from '../http-request.js';
import { decideOncePerHandler } from '../request-decisions.js';
import { PomeriumAuthException } from '../pomerium-auth.exception.js';
import { HONOURS_ROUTE_RULES } from '../route-guards-check.js';
import { collectRouteRules, type RouteRules } from '../route-rules.js';
import { pomeriumStrategyAuth } from './pomerium-strategy-auth.js';

/**
 * What the guard passes to `passport.authenticate` (`PomeriumAuthenticateOptions`). A type
 * literal: it fits `@nestjs/passport`'s option types of every major, which take any key.
 */
type StrategyCallOptions = { route?: RouteRule | readonly RouteRule[] };

/** The guard classes made so far, one per strategy name (Nest injects guards by class). */
const guards = new Map<string, Type<CanActivate>>();

/**
 * {@link PomeriumPassportGuard} for a `PomeriumStrategy` registered under another name than
 * `'pomerium'` (several strategies with different options in one app). One class per name.
 *
 * @param strategy - the name the `PomeriumStrategy` is registered under.
 *
 * @example
 * ```ts
 * @Injectable()
 * class AdminStrategy extends PassportStrategy(PomeriumStrategy, 'pomerium-admin') { ... }
 *
 * @UseGuards(pomeriumPassportGuard('pomerium-admin'))
 * ```
 */
export function pomeriumPassportGuard(strategy: string): Type<CanActivate> {
  const known = guards.get(strategy);
  if (known) return known;
  @Injectable()
  class PomeriumPassportGuardMixin extends AuthGuard(strategy) {
    /** Read by the start-up check: this guard applies the route decorators. */
    static readonly [HONOURS_ROUTE_RULES] = true;

    private readonly reflector = new Reflector();

    /** The request the strategy reads, while `super.canActivate` runs for a context. */
    private readonly views = new WeakMap<ExecutionContext, NestHttpRequest>();

    override async canActivate(context: ExecutionContext): Promise<boolean> {
      const route = collectRouteRules(this.reflector, context.getHandler(), context.getClass());
      if (route.public) return true;
      if (context.getType<string>() === 'ws')
        throw new Error(
          '@pomerium-auth/nest/passport: PomeriumPassportGuard does not guard WebSocket gateways; ' +
            'use PomeriumAuthGuard there',
        );
      // Loads @nestjs/graphql for a GraphQL context, before getRequest needs it.
      const guarded = (await guardedRequestOf(context)) as Exclude<GuardedRequest, { type: 'ws' }>;
      const { request } = guarded;
      const auth = pomeriumStrategyAuth(strategy);
      try {
        await decideOncePerHandler(
          PomeriumPassportGuardMixin,
          request,
          context.getHandler(),
          request,
          guarded.type !== 'http',
          (view) => this.decide(context, view as NestHttpRequest, request),
        );
      } catch (err) {
        throw isPomeriumAuthError(err) ? this.refusal(err, guarded, auth) : err;
      }
      return true;
    }

    /**
     * One handler's decision, by the strategy, on `view`: the request itself, or (for a later
     * resolver of a GraphQL operation) a copy of it; what the strategy put on a copy is then put
     * on the request. Rejects with the `PomeriumAuthError` of a refusal.
     */
    private async decide(
      context: ExecutionContext,
      view: NestHttpRequest,
      request: NestHttpRequest,
    ): Promise<void> {
      this.views.set(context, view);
      try {
        await super.canActivate(context);
      } catch (err) {
        const authError = err instanceof PomeriumAuthException ? err.authError : err;
        if (!isPomeriumAuthError(authError)) throw err;
        throw authError;
      } finally {
        this.views.delete(context);
      }
      if (view !== request) {
        const property = (this as { options?: { property?: string } }).options?.property ?? 'user';
        for (const key of ['pomerium', property, 'authInfo']) request[key] = view[key];
      }
    }

    /** The strategy's `{ route }`: the route's rules, part of its one decision. */
    override getAuthenticateOptions(context: ExecutionContext): StrategyCallOptions {
      const { rules, authentication } = this.routeOf(context);
      // @RequireAuthentication() and @OptionalAuth() are core's authentication rule.
      const all = authentication === 'default' ? rules : [...rules, { authentication }];
      return { route: all.length > 1 ? all : all[0] };
    }

    private routeOf(context: ExecutionContext): RouteRules {
      return collectRouteRules(this.reflector, context.getHandler(), context.getClass());
    }

    /** The request being decided, else the HTTP request or the one behind a GraphQL operation. */
    override getRequest(context: ExecutionContext): NestHttpRequest {
      return this.views.get(context) ?? (identityHolderOf(context) as NestHttpRequest);
    }

    getResponse(context: ExecutionContext): unknown {
      return context.getType<string>() === 'http' ? context.switchToHttp().getResponse() : {};
    }

    /**
     * Called by `AuthGuard` with Passport's outcome. The strategy keeps the whole refusal
     * (`pomeriumAuthErrorOf`); any other failure is rethrown as it is (a `validate()` that threw is
     * the app's server error).
     */
    override handleRequest<TUser = unknown>(
      err: unknown,
      user: unknown,
      _info: unknown,
      context: ExecutionContext,
    ): TUser {
      if (user) return user as TUser;
      const authError =
        pomeriumAuthErrorOf(this.getRequest(context)) ??
        (isPomeriumAuthError(err) ? err : undefined);
      if (authError) throw new PomeriumAuthException(authError);
      // The strategy passed (no credential) on an @OptionalAuth() route: anonymous, as core decided.
      if (!err && this.routeOf(context).authentication === 'optional') return undefined as TUser;
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- what the strategy failed with, rethrown as it is (as @nestjs/passport's own handleRequest does)
      throw err ?? new UnauthorizedException();
    }

    private refusal(
      err: PomeriumAuthError,
      guarded: Exclude<GuardedRequest, { type: 'ws' }>,
      auth: PomeriumAuth,
    ): PomeriumAuthException {
      if (guarded.type === 'http' && auth.settings.onError !== 'next')
        setErrorHeaders(guarded.response, err);
      return new PomeriumAuthException(err);
    }
  }
  guards.set(strategy, PomeriumPassportGuardMixin);
  return PomeriumPassportGuardMixin;
}

/**
 * `@nestjs/passport`'s `AuthGuard('pomerium')`, made to read this package's route decorators
 * and to answer as `PomeriumAuthGuard` does:
 *
 * - `@ForbidImpersonation()` / `@AllowImpersonation()` go to the strategy as
 *   `{ route }`, so they are part of its one decision; `@Public()` skips it;
 *   `@RequireAuthentication()` and `@OptionalAuth()` work as with `PomeriumAuthGuard`.
 * - A refusal keeps its status, `WWW-Authenticate` / `Retry-After` headers and JSON body
 *   (`{ error, error_description }`; option `onError: 'next'` leaves the headers to your
 *   filters), where the plain `AuthGuard('pomerium')` answers every refusal with a bare 401.
 * - `request.user` is what the strategy's `validate()` returned; `request.pomerium` the
 *   `Identity`. HTTP (Express, Fastify) and GraphQL contexts; gateways use `PomeriumAuthGuard`.
 *
 * The strategy is the one registered as `'pomerium'`: a provider extending
 * `PassportStrategy(PomeriumStrategy, 'pomerium')`.
 *
 * @example
 * ```ts
 * import { PomeriumPassportGuard } from '@pomerium-auth/nest/passport';
 *
 * @Controller('account')
 * @UseGuards(PomeriumPassportGuard)
 * export class AccountController {
 *   @ForbidImpersonation()
 *   @Post('password')
 *   changePassword(@Req() req: { user: Member }) {}
 * }
 * ```
 */
@Injectable()
export class PomeriumPassportGuard extends pomeriumPassportGuard('pomerium') {}
