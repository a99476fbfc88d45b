import { SetMetadata } from '@nestjs/common';
import { defineRouteRule, type Grant, type RouteRule } from '@pomerium-auth/core';

/** Metadata key of `@Public()`. */
export const PUBLIC_ROUTE_KEY = 'pomerium-auth:public';
/** Metadata key of the route rule set by `@ForbidImpersonation()` / `@AllowImpersonation()`. */
export const ROUTE_RULE_KEY = 'pomerium-auth:route-rule';

/**
 * Skips `PomeriumAuthGuard` for a handler or a whole controller: no authentication at all,
 * `request.pomerium` stays undefined. (To authenticate when a credential is sent and pass
 * anonymous requests otherwise, use the option `required: false` instead.)
 *
 * @example
 * ```ts
 * @Public()
 * @Get('health')
 * health() { return { ok: true }; }
 * ```
 */
export function Public(): MethodDecorator & ClassDecorator {
  return SetMetadata(PUBLIC_ROUTE_KEY, true);
}

/**
 * Refuses any impersonation on a handler or controller (403 `impersonation_denied`, audited),
 * whatever the global grants say. A handler's rule overrides its controller's.
 *
 * @example
 * ```ts
 * @ForbidImpersonation()
 * @Post('password')
 * changePassword(@EffectiveUser() user: Principal) {}
 * ```
 */
export function ForbidImpersonation(): MethodDecorator & ClassDecorator {
  return SetMetadata(ROUTE_RULE_KEY, defineRouteRule({ impersonation: 'forbid' }));
}

/**
 * Sets the impersonation grants of a handler or controller: they replace the global grants
 * there (`protect`, no chaining, `requireReason` and `canImpersonate` still apply). The grants
 * are checked when the decorator runs, so a bad pattern fails at start-up.
 *
 * @example
 * ```ts
 * @AllowImpersonation({ name: 'helpdesk', initiators: ['group:helpdesk'], targets: ['user_*'], readOnly: true })
 * @Get('tickets')
 * tickets(@EffectiveUser() user: Principal) {}
 * ```
 */
export function AllowImpersonation(...grants: Grant[]): MethodDecorator & ClassDecorator {
  const rule: RouteRule = defineRouteRule({ impersonation: { grants } });
  return SetMetadata(ROUTE_RULE_KEY, rule);
}

/** Metadata key of `@RequireAuthentication()`. */
export const REQUIRE_AUTHENTICATION_KEY = 'pomerium-auth:require-authentication';

/**
 * With `required: false` app-wide, makes a handler or controller answer 401
 * `credentials_required` to anonymous requests (the guard still decides once).
 *
 * @example
 * ```ts
 * @RequireAuthentication()
 * @Get('settings')
 * settings(@EffectiveUser() user: Principal) {}
 * ```
 */
export function RequireAuthentication(): MethodDecorator & ClassDecorator {
  return SetMetadata(REQUIRE_AUTHENTICATION_KEY, true);
}
