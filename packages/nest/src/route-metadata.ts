/** Metadata key of `@Public()`. */
export const PUBLIC_ROUTE_KEY = 'pomerium-auth:public';
/** Metadata key of the route rule set by `@ForbidImpersonation()` / `@AllowImpersonation()`. */
export const ROUTE_RULE_KEY = 'pomerium-auth:route-rule';
/** Metadata key of `@RequireAuthentication()`. */
export const REQUIRE_AUTHENTICATION_KEY = 'pomerium-auth:require-authentication';
/** Metadata key of `@OptionalAuth()`. */
export const OPTIONAL_AUTH_KEY = 'pomerium-auth:optional-auth';
/** Metadata key of `@RequirePolicy()`. */
export const POLICY_KEY = 'pomerium-auth:policy';

/** Every metadata key of this package's route decorators. */
export const ROUTE_METADATA_KEYS: readonly string[] = [
  PUBLIC_ROUTE_KEY,
  ROUTE_RULE_KEY,
  REQUIRE_AUTHENTICATION_KEY,
  OPTIONAL_AUTH_KEY,
  POLICY_KEY,
];
