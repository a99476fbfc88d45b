import { SetMetadata } from '@nestjs/common';
import {
  defineRouteRule,
  type CompiledPolicy,
  type Grant,
  type PolicyDocument,
  type RouteRule,
} from '@pomerium-auth/core';
import { rememberDecoratedClass } from './route-guards-check.js';
import {
  OPTIONAL_AUTH_KEY,
  POLICY_KEY,
  PUBLIC_ROUTE_KEY,
  REQUIRE_AUTHENTICATION_KEY,
  ROUTE_RULE_KEY,
} from './route-metadata.js';

/**
 * `SetMetadata`, and a note of the decorated class: guards that cannot read these decorators
 * (`AuthGuard('pomerium')`) are looked for on it when the app starts.
 */
function routeMetadata(key: string, value: unknown): MethodDecorator & ClassDecorator {
  const set = SetMetadata(key, value) as (
    target: object,
    propertyKey?: string | symbol,
    descriptor?: PropertyDescriptor,
  ) => unknown;
  return ((target: object, propertyKey?: string | symbol, descriptor?: PropertyDescriptor) => {
    rememberDecoratedClass(typeof target === 'function' ? target : target.constructor);
    return set(target, propertyKey, descriptor);
  }) as MethodDecorator & ClassDecorator;
}

/**
 * Skips `PomeriumAuthGuard` for a handler or a whole controller: no authentication at all,
 * `request.pomerium` stays undefined. To authenticate when a credential is sent and let
 * anonymous requests through otherwise, use `@OptionalAuth()`.
 *
 * @example
 * ```ts
 * @Public()
 * @Get('health')
 * health() { return { ok: true }; }
 * ```
 */
export function Public(): MethodDecorator & ClassDecorator {
  return routeMetadata(PUBLIC_ROUTE_KEY, true);
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
  return routeMetadata(ROUTE_RULE_KEY, defineRouteRule({ impersonation: 'forbid' }));
}

/**
 * Sets the impersonation grants of a handler or controller: they replace the global grants
 * there (`protect`, no chaining, `requireReason` and `canImpersonate` still apply). The grants
 * are checked when the decorator runs, so a bad pattern fails at start-up.
 *
 * @param grants - the route's grants, one per argument or as one array (as the other adapters'
 *   `allowImpersonation(grants)` takes them).
 * @throws {PomeriumAuthConfigError} when the decorator runs, for a bad grant.
 *
 * @example
 * ```ts
 * @AllowImpersonation({ name: 'helpdesk', initiators: ['group:helpdesk'], targets: ['user_*'], readOnly: true })
 * @Get('tickets')
 * tickets(@EffectiveUser() user: Principal) {}
 *
 * @AllowImpersonation(supportGrants) // a Grant[]
 * @Get('orders')
 * orders(@EffectiveUser() user: Principal) {}
 * ```
 */
export function AllowImpersonation(
  ...grants: Grant[] | [readonly Grant[]]
): MethodDecorator & ClassDecorator {
  const list = grants.length === 1 && Array.isArray(grants[0]) ? grants[0] : grants;
  const rule: RouteRule = defineRouteRule({ impersonation: { grants: [...(list as Grant[])] } });
  return routeMetadata(ROUTE_RULE_KEY, rule);
}

/**
 * With `required: false` app-wide, makes a handler or controller answer 401
 * `credentials_required` to anonymous requests (the guard still decides once). On a handler, it
 * overrides its controller's `@OptionalAuth()`.
 *
 * @example
 * ```ts
 * @RequireAuthentication()
 * @Get('settings')
 * settings(@EffectiveUser() user: Principal) {}
 * ```
 */
export function RequireAuthentication(): MethodDecorator & ClassDecorator {
  return routeMetadata(REQUIRE_AUTHENTICATION_KEY, true);
}

/**
 * Optional authentication on a handler or controller, whatever `required` says app-wide: a
 * request with a credential is authenticated as anywhere else (a bad credential is still
 * refused, an impersonation header still needs a credential), a request with neither passes
 * anonymously (`request.pomerium` undefined, `@EffectiveUser()` undefined). On a handler, it
 * overrides its controller's `@RequireAuthentication()`.
 *
 * @example
 * ```ts
 * @OptionalAuth()
 * @Get('articles')
 * articles(@EffectiveUser() user: Principal | undefined) {
 *   return user ? this.articles.forMember(user.id) : this.articles.public();
 * }
 * ```
 */
export function OptionalAuth(): MethodDecorator & ClassDecorator {
  return routeMetadata(OPTIONAL_AUTH_KEY, true);
}

/**
 * Requires a Pomerium policy on a handler or controller, evaluated on the effective user (the
 * impersonated user while impersonating): refused, 403 `insufficient_scope` (401 for an anonymous
 * request), audited as `access_denied`; allowed, `access_granted`. A handler's policy overrides its
 * controller's, as the other route decorators do. The document (an object, a list of rules, YAML
 * or JSON text, or `compilePolicy(doc, { name })`) is checked when the decorator runs.
 *
 * @param policy - the policy document, or a compiled and named policy.
 * @throws {PomeriumAuthConfigError} when the decorator runs, for a bad document.
 *
 * @example
 * ```ts
 * @RequirePolicy({ allow: { or: [{ groups: { has: 'finance' } }] } })
 * @Get('ledger')
 * ledger(@EffectiveUser() user: Principal) {}
 * ```
 */
export function RequirePolicy(
  policy: PolicyDocument | CompiledPolicy,
): MethodDecorator & ClassDecorator {
  return routeMetadata(POLICY_KEY, defineRouteRule({ policy }));
}
