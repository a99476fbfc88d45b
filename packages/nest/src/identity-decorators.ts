import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Identity, Principal } from '@pomerium-auth/core';
import type { NestHttpRequest } from './http-request.js';

function identityOf(ctx: ExecutionContext): Identity | undefined {
  return ctx.switchToHttp().getRequest<NestHttpRequest>().pomerium;
}

/**
 * The effective user (`identity.user`): whose groups and policies apply. `undefined` on
 * `@Public()` routes and for anonymous requests (`required: false`).
 *
 * @example
 * ```ts
 * @Get('me')
 * me(@EffectiveUser() user: Principal) { return { id: user.id, groups: user.groups }; }
 * ```
 */
export const EffectiveUser: () => ParameterDecorator = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal | undefined => identityOf(ctx)?.user,
);

/**
 * Who authenticated (`identity.initiator`): the administrator while impersonating, otherwise
 * the same principal as `@EffectiveUser()`.
 *
 * @example
 * ```ts
 * @Get('me')
 * me(@EffectiveUser() user: Principal, @InitiatingUser() initiator: Principal) {
 *   return { actingAs: user.id, by: initiator.id };
 * }
 * ```
 */
export const InitiatingUser: () => ParameterDecorator = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal | undefined => identityOf(ctx)?.initiator,
);

/**
 * The whole `Identity` (`request.pomerium`): user, initiator, impersonation and credential.
 *
 * @example
 * ```ts
 * @Get('audit-context')
 * who(@PomeriumIdentity() identity: Identity) { return { impersonating: identity.impersonating, via: identity.impersonation?.via }; }
 * ```
 */
export const PomeriumIdentity: () => ParameterDecorator = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Identity | undefined => identityOf(ctx),
);
