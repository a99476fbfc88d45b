import type { Identity, Principal } from '@pomerium-auth/core';

/**
 * Header names a conformance app reports when its handler still sees them: every impersonation
 * header the behaviour table sends. After authentication none may be left.
 */
export const IMPERSONATION_HEADER_NAMES: readonly string[] = Object.freeze([
  'impersonate-user',
  'impersonate-group',
  'impersonate-reason',
  'sg_impersonate_as',
]);

/** What `GET /whoami` (and every other route of a conformance app) answers with. */
export interface WhoamiBody {
  user: Principal | null;
  initiator: Principal | null;
  impersonating: boolean;
  impersonation: Identity['impersonation'] | null;
  credential: { source: string; expiresAt?: string } | null;
  /** The id of the principal the adapter put where the framework keeps users (`req.user`, `ctx.state.user`). */
  requestUser: string | null;
  /** Impersonation headers the handler still sees (must be empty). */
  impersonationHeaders: string[];
  /** The id of `identity.onBehalfOf` (option `assertionFor`), or null. */
  onBehalfOf: string | null;
  /** The claim headers the handler still sees, with their values. */
  claimHeaders: Record<string, string>;
}

/**
 * Builds the body a conformance app's handler answers with, so every adapter answers alike.
 *
 * @example
 * ```ts
 * app.get('/whoami', (req, res) => res.json(whoamiBody(req.pomerium, req.headers, req.user)));
 * ```
 */
export function whoamiBody(
  identity: Identity | undefined,
  headers: Record<string, unknown>,
  requestUser: Principal | undefined,
): WhoamiBody {
  return {
    user: identity?.user ?? null,
    initiator: identity?.initiator ?? null,
    impersonating: identity?.impersonating ?? false,
    impersonation: identity?.impersonation ?? null,
    credential: identity
      ? {
          source: identity.credential.source,
          ...(identity.credential.expiresAt
            ? { expiresAt: identity.credential.expiresAt.toISOString() }
            : {}),
        }
      : null,
    requestUser: requestUser?.id ?? null,
    impersonationHeaders: IMPERSONATION_HEADER_NAMES.filter((name) => headers[name] !== undefined),
    onBehalfOf: identity?.onBehalfOf?.id ?? null,
    claimHeaders: Object.fromEntries(
      Object.entries(headers)
        .filter(([name]) => name.startsWith('x-pomerium-claim-'))
        .map(([name, value]) => [name, String(value)]),
    ),
  };
}
