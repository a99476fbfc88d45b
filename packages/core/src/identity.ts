/** Who a principal is: an interactive user, or a machine holding a service-account token. */
export type PrincipalKind = 'user' | 'service-account';

/**
 * A user as the suite knows them after verification.
 *
 * @example
 * ```ts
 * app.get('/me', (req, res) => res.json({ id: req.user.id, groups: req.user.groups }));
 * ```
 */
export interface Principal {
  /** User id (`sub` / `user`, or the service account's `user_id`). */
  id: string;
  email?: string;
  name?: string;
  /** Group ids and names; always an array. */
  groups: string[];
  kind: PrincipalKind;
  /** The service account's id (`jti`), for service-account principals. */
  serviceAccountId?: string;
  /** The service account's namespace, when its record names one. */
  namespace?: string;
  /**
   * The verified claims of the token, deeply read-only (shared with the verified-token cache).
   * For a target resolved by impersonation: the directory record's fields, never the initiator's.
   */
  claims: Readonly<Record<string, unknown>>;
}

/** Where the credential came from (`identity.credential.source`). */
export type CredentialSource =
  | 'assertion'
  | 'x-pomerium-authorization'
  | 'authorization-pomerium'
  | 'authorization-bearer-pomerium'
  | 'authorization-bearer-assertion'
  | 'cookie';

/** How impersonation was asked for. */
export type ImpersonationVia = 'header' | 'token-claims' | 'act-claim';

/**
 * The outcome of a successful authentication (see the core README, "What a request carries").
 *
 * @example
 * ```ts
 * const identity = await auth.authenticate(request);
 * if (identity?.impersonating) {
 *   console.log(`${identity.initiator.id} acts as ${identity.user.id}`);
 * }
 * ```
 */
export interface Identity {
  /** The effective user: whose groups and policies apply. */
  user: Principal;
  /** Who authenticated; the same object as `user` when not impersonating. */
  initiator: Principal;
  impersonating: boolean;
  impersonation?: { via: ImpersonationVia; reason?: string; grant?: string };
  credential: { source: CredentialSource; expiresAt?: Date };
  /**
   * The original user behind a chain of services, from a verified
   * `x-pomerium-jwt-assertion-for` (option `assertionFor`). Never changes `user` or `initiator`.
   */
  onBehalfOf?: Principal;
  /**
   * `x-request-id` (when it is a sane id), else generated: every audit event of this request
   * carries it as `request.request_id`.
   */
  requestId: string;
}
