import type { JsonWebKey } from 'node:crypto';
import type { AuditSink } from './audit/events.js';
import type { CredentialSource, Principal } from './identity.js';
import type { CompiledPolicy } from './policy/compile-policy.js';
import type { PolicyDocument } from './policy/policy-document.js';
import type { AuthRequest } from './request.js';
import type { RecordsSource } from './records/records-source.js';

/** A lookup by key. May be synchronous or asynchronous; `null`/`undefined` means "no such record". */
export type Lookup<T> = (key: string) => T | null | undefined | Promise<T | null | undefined>;

/**
 * A service account as Pomerium keeps it. Today's service-account tokens are references to
 * such a record: expiry and revocation live here.
 */
export interface ServiceAccountRecord {
  /** The account id, the token's `jti`. */
  id: string;
  /** The user the account acts as (Pomerium's `user_id`). */
  userId: string;
  /** When the account stops working; absent means never. */
  expiresAt?: Date | string | number;
  namespace?: string;
  description?: string;
}

/** What `isRevoked` is shown of a verified credential. */
export interface VerifiedCredentialInfo {
  /** Where the credential came from (`identity.credential.source`). */
  source: CredentialSource;
  /** The authenticated principal (before impersonation). */
  principal: Readonly<Principal>;
  /** The token's verified claims (deeply read-only). */
  claims: Readonly<Record<string, unknown>>;
  /** The service account's id (`jti`), for service-account tokens. */
  serviceAccountId?: string;
  /** The token's `exp`, if it has one. */
  expiresAt?: Date;
}

/**
 * The `isRevoked` hook: `true` refuses the credential.
 *
 * @example
 * ```ts
 * const revoked = new Set(['sa-7']);
 * const isRevoked: RevocationCheck = (credential) => revoked.has(credential.serviceAccountId ?? '');
 * ```
 */
export type RevocationCheck = (
  credential: VerifiedCredentialInfo,
  request: AuthRequest,
) => boolean | Promise<boolean>;

/** A user of the directory: the target of impersonation, or the user behind a service account. */
export interface DirectoryUser {
  id: string;
  email?: string;
  name?: string;
  groups?: string[];
  /**
   * Further fields of the user's record: an impersonated user's claims, for policies'
   * `claim/<name>` criteria (a records source gives every other field of the record).
   */
  claims?: Record<string, unknown>;
}

/**
 * A namespace of Pomerium Enterprise: a service account can be used in the namespace it was
 * created in and in that namespace's descendants.
 *
 * @example
 * ```ts
 * const namespaces: Record<string, NamespaceRecord> = {
 *   root: { id: 'root' },
 *   'ns-eng': { id: 'ns-eng', parentId: 'root' },
 * };
 * ```
 */
export interface NamespaceRecord {
  /** The namespace id. */
  id: string;
  /** The parent namespace's id; absent for a root namespace. */
  parentId?: string;
}

/**
 * Who may impersonate whom.
 *
 * @example
 * ```ts
 * // Search Guard's example: admin may impersonate user_1, user_2 and every user_*.
 * const grant: Grant = { name: 'support', initiators: ['admin'], targets: ['user_1', 'user_2', 'user_*'] };
 * ```
 */
export interface Grant {
  /** Shown in audit events and by `explain`. */
  name?: string;
  /** User ids, emails, or `group:NAME`. */
  initiators: string[];
  /** Exact names, globs (`*`, `?`), `/regex/` (whole name), or `group:NAME` (a target's group). */
  targets: string[];
  /** Groups that may be asked for by the groups header. */
  groups?: string[];
  /** Only GET, HEAD and OPTIONS while impersonating under this grant. */
  readOnly?: boolean;
}

/** Impersonation settings: who may act as whom (the README's Impersonation section). */
export interface ImpersonationOptions {
  /** Header naming the target user. Default `impersonate-user`; e.g. `sg_impersonate_as`; `false` to disable. */
  header?: string | false;
  /** Header with groups to act with (repeatable or comma-separated). Default `impersonate-group`. */
  groupsHeader?: string | false;
  /** Header with the reason, recorded in audit. Default `impersonate-reason`. */
  reasonHeader?: string | false;
  grants?: Grant[];
  /** Targets nobody may impersonate (patterns and `group:` entries). */
  protect?: string[];
  /** Refuse impersonation without a reason header. */
  requireReason?: boolean;
  /** Honour `impersonate_email` / `impersonate_groups` of historic tokens (as requests). Default true. */
  fromTokenClaims?: boolean;
  /** Honour an RFC 8693 `act` claim (as a request). Default true. */
  fromActClaim?: boolean;
  /** A final say, after the grants allowed it. Throwing or rejecting counts as a refusal. */
  canImpersonate?: (
    initiator: Principal,
    target: Principal,
    request: AuthRequest,
  ) => boolean | Promise<boolean>;
}

/** Where start-up warnings go. Default: `process.emitWarning`. */
export interface WarningLogger {
  warn(message: string): void;
}

/**
 * Tuning of the remote key sets behind `jwksUrl` (each URL's set follows these rules on its
 * own). See the core README, "Remote key sets".
 *
 * @example
 * ```ts
 * createPomeriumAuth({
 *   jwksUrl: 'https://app.example.com/.well-known/pomerium/jwks.json',
 *   jwks: { timeout: 2000, cooldown: 10, maxBytes: 256 * 1024 },
 * });
 * ```
 */
export interface JwksOptions {
  /** Milliseconds before a key-set request is abandoned, its body included. Default 5000. */
  timeout?: number;
  /**
   * Minimum seconds between two fetches started for unknown `kid`s, counted from the end of
   * the last one. Requests arriving while a fetch is in flight wait for it instead. Default 30.
   */
  cooldown?: number;
  /** Seconds a fetched key set is fresh, unless `Cache-Control: max-age` says otherwise. Default 300. */
  maxAge?: number;
  /** Seconds a key set may be served stale while the endpoint fails. Default 86400. */
  maxStale?: number;
  /**
   * Largest key-set response body read, in bytes (after `Content-Encoding` is undone); a larger
   * one is abandoned as soon as it is seen to be larger. Default 1048576 (1 MiB).
   */
  maxBytes?: number;
  /** A `fetch` implementation, for tests and proxies. Default the global `fetch`. */
  fetch?: typeof fetch;
}

/**
 * The one options object of every adapter (the README's Options table). Every option may also
 * come from the environment: `POMERIUM_JWKS_URL`, `POMERIUM_ISSUER`, `POMERIUM_AUDIENCE`,
 * `POMERIUM_SHARED_SECRET` (options given in code win).
 *
 * @example
 * ```ts
 * const auth = createPomeriumAuth({
 *   jwksUrl: 'https://app.example.com/.well-known/pomerium/jwks.json',
 *   audience: 'app.example.com',
 *   sharedSecret: process.env.SHARED_SECRET,
 *   impersonation: { header: 'sg_impersonate_as', grants: [{ initiators: ['group:admins'], targets: ['*'] }] },
 * });
 * ```
 */
export interface PomeriumAuthOptions {
  /**
   * Pomerium's base64 `shared_secret`: its decoded bytes verify service-account tokens (HS256).
   * A list during a rotation: every secret verifies (the first is the one the testing kit and the
   * CLI sign with). See the core README, "Rotating the shared secret".
   */
  sharedSecret?: string | string[];
  /** `legacy-raw`: the base64 text itself is the key, as in Pomerium v0.8 to v0.13. Default `base64`. */
  sharedSecretEncoding?: 'base64' | 'legacy-raw';
  /**
   * Key set(s) for assertions, e.g. `https://app.example.com/.well-known/pomerium/jwks.json`;
   * a list during a rotation (keys from every URL are merged).
   */
  jwksUrl?: string | string[];
  /** Static assertion keys: public JWKs or PEM (SPKI or X.509 certificate). */
  publicKeys?: Array<JsonWebKey | string>;
  /**
   * Also accept assertions signed by the key Pomerium derives from `sharedSecret` (no
   * `signing_key`), derived from the decoded secret whatever `sharedSecretEncoding` says.
   */
  deriveAssertionKey?: boolean;
  /** Expected issuer(s); a host matches both `host` and `https://host/`. */
  issuer?: string | string[];
  /** Expected audience(s); hosts compare as for `issuer`. */
  audience?: string | string[];
  /** Seconds of clock skew tolerated. Default 5. */
  clockTolerance?: number;
  /**
   * Maximum seconds since `iat` (plus `clockTolerance`), checked on every request: a cached
   * verification ends when the token becomes too old.
   */
  maxTokenAge?: number;
  /** Tokens longer than this are refused before parsing. Default 16384. */
  maxTokenBytes?: number;
  /**
   * Credential sources to accept. Default: `assertion` and `service-account`, as far as the
   * configuration can verify them. Opt-in: `bearer-assertion` (the assertion as
   * `Authorization: Bearer <jwt>`, verified with the assertion keys only) and `cookie` (a
   * service-account token in the `cookieName` cookie; mind CSRF, see the core README). A
   * service-account header and the cookie carrying different tokens are `invalid_request`.
   */
  sources?: ReadonlyArray<'assertion' | 'service-account' | 'bearer-assertion' | 'cookie'>;
  /** The cookie the `cookie` source reads. Default `_pomerium`. */
  cookieName?: string;
  /**
   * Verify `x-pomerium-jwt-assertion-for` (the original user behind a chain of services) into
   * `identity.onBehalfOf`; a bad one is refused like a bad assertion. Default false.
   */
  assertionFor?: boolean;
  /**
   * Pomerium's unsigned `X-Pomerium-Claim-*` headers (or custom names, header to claim):
   * `'verify'` (each must equal the signed claim, else 400; removed when no assertion is
   * present), `'strip'` (always removed), `'ignore'` (default: left alone, never read).
   */
  claimHeaders?:
    'ignore' | 'verify' | 'strip' | { mode: 'verify' | 'strip'; names?: Record<string, string> };
  /** Service-account records: unknown or expired accounts are refused. */
  serviceAccounts?: Lookup<ServiceAccountRecord> | RecordsSource;
  /**
   * This service's Pomerium namespace id: a service-account token whose record's namespace is
   * neither this one nor one of its ancestors is refused (401 `invalid_token`, reason
   * `namespace_mismatch`). Needs `serviceAccounts`.
   */
  namespace?: string;
  /** Namespaces by id (`{ id, parentId }`), to find the ancestors of `namespace`. */
  namespaces?: Lookup<NamespaceRecord> | RecordsSource;
  /**
   * A final say on every verified credential, on every request (cached or not): answer `true` to
   * refuse it (401 `invalid_token`, reason `revoked`). For credentials without a record (historic
   * service-account tokens, assertions by `jti` or `sid`). Anything but `false` refuses; a throw
   * or rejection is a 503. Bounded by `lookupTimeout`.
   */
  isRevoked?: RevocationCheck;
  /**
   * Milliseconds that each lookup (`serviceAccounts`, `directory`, `namespaces`, `isRevoked`) may
   * take before the request is answered 503 `temporarily_unavailable`. Default 5000.
   */
  lookupTimeout?: number;
  /** Users by id or email: impersonation targets must exist; service accounts take their user's groups. */
  directory?: Lookup<DirectoryUser> | RecordsSource;
  /** `false`: a request without any credential passes as anonymous. Default true. */
  required?: boolean;
  /**
   * An app-wide Pomerium policy (a document, YAML or JSON text, or `compilePolicy`'s result),
   * evaluated on the effective user of every authenticated request: refused, 403
   * `insufficient_scope`. Route helpers (`requirePolicy`) add one per route; all must allow.
   */
  policy?: PolicyDocument | CompiledPolicy;
  /** Impersonation rules; `false` to refuse every impersonation request. */
  impersonation?: ImpersonationOptions | false;
  /** Audit sink: a function or a pino-style logger (`info` / `warn`); `false` for none. */
  audit?: AuditSink | false;
  /** Verified-token cache. `maxAge` (seconds, default 60) bounds how long a revoked account may still pass. */
  cache?: { max?: number; maxAge?: number } | false;
  /** Adapters: answer errors themselves (`respond`, default) or pass them on (`next`). */
  onError?: 'respond' | 'next';
  /** Adapters: where the effective principal goes (`req.user` by default); `false` for nowhere. */
  userProperty?: string | false;
  /**
   * Where assertions' ES256/RS256 signatures are checked (the core README, "Performance").
   * `'auto'` (default): on worker threads when the process has more than one usable core (CPU
   * affinity and cgroup quota), else on the main thread. `'main-thread'`: synchronously, in the
   * request's own turn. `'worker-threads'`: on a few worker threads shared by the process, many
   * signatures per message; a full queue, a worker not yet started or a failed worker sends a
   * signature to the main thread instead, never unchecked. `'thread-pool'`: the earlier name of
   * `'worker-threads'`. Call `auth.close()` to end the workers sooner than the process.
   */
  assertionVerification?: 'auto' | 'main-thread' | 'worker-threads' | 'thread-pool';
  /** Remote key-set tuning. */
  jwks?: JwksOptions;
  /** Where to read `POMERIUM_*` variables from. Default `process.env`; `false` to ignore the environment. */
  env?: Record<string, string | undefined> | false;
  /** Where start-up warnings go. */
  logger?: WarningLogger;
}
