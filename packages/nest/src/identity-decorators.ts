import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Identity, Principal } from '@pomerium-auth/core';
import { identityHolderOf } from './context-request.js';

function identityOf(ctx: ExecutionContext): Identity | undefined {
  return identityHolderOf(ctx)?.pomerium;
}

/** A value, or one of its properties when the decorator names one. */
function pick<T extends object>(value: T | undefined, property: unknown): unknown {
  if (value === undefined || property === undefined) return value;
  return value[property as keyof T];
}

/**
 * A parameter decorator that gives a value, or one property of it, the property's name checked
 * against `T`.
 *
 * @example
 * ```ts
 * me(@EffectiveUser() user: Principal, @EffectiveUser('email') email: string | undefined) {}
 * ```
 */
export type PropertyParamDecorator<T> = (property?: keyof T) => ParameterDecorator;

/**
 * The effective user (`identity.user`): whose groups and policies apply; with an argument, one
 * of its properties. `undefined` on `@Public()` routes and for anonymous requests. Works in
 * controllers, GraphQL resolvers and WebSocket gateways.
 *
 * @example
 * ```ts
 * @Get('me')
 * me(@EffectiveUser() user: Principal, @EffectiveUser('email') email: string | undefined) {
 *   return { id: user.id, email, groups: user.groups };
 * }
 * ```
 */
export const EffectiveUser: PropertyParamDecorator<Principal> = createParamDecorator(
  (property: keyof Principal | undefined, ctx: ExecutionContext): unknown =>
    pick(identityOf(ctx)?.user, property),
);

/**
 * Who authenticated (`identity.initiator`): the administrator while impersonating, otherwise
 * the same principal as `@EffectiveUser()`; with an argument, one of its properties.
 *
 * @example
 * ```ts
 * @Get('me')
 * me(@EffectiveUser('id') actingAs: string, @InitiatingUser('id') by: string) {
 *   return { actingAs, by };
 * }
 * ```
 */
export const InitiatingUser: PropertyParamDecorator<Principal> = createParamDecorator(
  (property: keyof Principal | undefined, ctx: ExecutionContext): unknown =>
    pick(identityOf(ctx)?.initiator, property),
);

/**
 * The whole `Identity` (`request.pomerium`): user, initiator, impersonation and credential;
 * with an argument, one of its properties.
 *
 * @example
 * ```ts
 * @Get('audit-context')
 * who(@PomeriumIdentity('impersonating') impersonating: boolean, @PomeriumIdentity() identity: Identity) {
 *   return { impersonating, via: identity.impersonation?.via };
 * }
 * ```
 */
export const PomeriumIdentity: PropertyParamDecorator<Identity> = createParamDecorator(
  (property: keyof Identity | undefined, ctx: ExecutionContext): unknown =>
    pick(identityOf(ctx), property),
);
