import { signCompact } from './lib/compact-jws.js';
import { hmacKeyBytes } from './lib/shared-secret.js';
import { nowSeconds, toSeconds } from './lib/time.js';
import { sortedDefined } from './lib/go-json.js';

/**
 * Options of a service-account token in today's Pomerium format (`SignServiceAccount`).
 *
 * @example
 * ```ts
 * import type { ServiceAccountTokenOptions } from '@pomerium-auth/testing';
 * const options: ServiceAccountTokenOptions = { id: 'sa-1', userId: 'user-1', expiresAt: new Date(Date.now() + 3_600_000) };
 * ```
 */
export interface ServiceAccountTokenOptions {
  /** Service account id, the `jti` claim. */
  id: string;
  /** The user the account acts as, the `sub` claim. */
  userId: string;
  /** Expiry; without it the token has no `exp`, as an account without expiry. */
  expiresAt?: Date | number;
  /** Issue time (`iat` and `nbf`); Date or seconds since the epoch, default now. */
  issuedAt?: Date | number;
  /** HMAC key: bytes, or base64 text that is decoded. Defaults to the issuer's shared secret. */
  secret?: Uint8Array | string;
}

/**
 * Options of a historic `pomerium-cli` service-account token (Pomerium v0.7 to v0.12).
 *
 * @example
 * ```ts
 * import type { LegacyServiceAccountTokenOptions } from '@pomerium-auth/testing';
 * const options: LegacyServiceAccountTokenOptions = { sub: 'bob', email: 'bob@pomerium.io', aud: 'httpbin.int.pomerium.io' };
 * ```
 */
export interface LegacyServiceAccountTokenOptions {
  /** The authenticate service's host. */
  iss?: string;
  /** Route hosts; always encoded as an array. */
  aud?: string | string[];
  sub?: string;
  user?: string;
  email?: string;
  groups?: string[];
  impersonate_email?: string;
  impersonate_groups?: string[];
  /** Lifetime in seconds, default 3600. */
  expiry?: number;
  /** Issue time in seconds since the epoch, default now. */
  now?: number;
  /**
   * `'base64'` (default): the HMAC key is the decoded shared secret (Pomerium v0.14+).
   * `'legacy-raw'`: the key is the ASCII of the base64 text itself (Pomerium v0.8 to v0.13).
   */
  encoding?: 'base64' | 'legacy-raw';
  /** Shared secret as base64 text (or bytes, for `'base64'` only). Defaults to the issuer's. */
  secret?: Uint8Array | string;
}

/**
 * Signs a service-account token in today's Pomerium format: header
 * `{"alg":"HS256","typ":"JWT"}`, claims `jti` (account id), `sub` (user id), `iat` and `nbf`,
 * and `exp` only when the account expires.
 *
 * @param secret - Pomerium's base64 `shared_secret` (decoded to make the HMAC key) or key bytes.
 * @param options - the account `id`, its `userId`, and optionally `issuedAt` and `expiresAt`.
 *
 * @example
 * ```ts
 * import { signServiceAccountToken } from '@pomerium-auth/testing';
 * const token = signServiceAccountToken(process.env.POMERIUM_SHARED_SECRET!, { id: 'sa-1', userId: 'user-1' });
 * ```
 */
export function signServiceAccountToken(
  secret: Uint8Array | string,
  options: Omit<ServiceAccountTokenOptions, 'secret'>,
): string {
  const issuedAt = toSeconds(options.issuedAt, nowSeconds());
  const claims = sortedDefined({
    jti: options.id,
    sub: options.userId,
    iat: issuedAt,
    nbf: issuedAt,
    exp: options.expiresAt === undefined ? undefined : toSeconds(options.expiresAt, issuedAt),
  });
  return signCompact(
    '{"alg":"HS256","typ":"JWT"}',
    JSON.stringify(claims),
    'HS256',
    hmacKeyBytes(secret),
  );
}

/**
 * Signs a service-account token in the historic `pomerium-cli` format: header
 * `{"alg":"HS256"}`, claims in the CLI's order `iss`, `sub`, `aud` (an array), `exp`, `nbf`,
 * `iat`, `email`, `groups`, `user`, `impersonate_email`, `impersonate_groups`; absent ones are
 * left out.
 *
 * @param secret - Pomerium's base64 `shared_secret`.
 * @param options - the claims, and the secret's `encoding` (`'legacy-raw'` as v0.8 to v0.13).
 *
 * @example
 * ```ts
 * import { signLegacyServiceAccountToken } from '@pomerium-auth/testing';
 * const token = signLegacyServiceAccountToken('X/6+31jHCANkIbOajHMACNy+HmDreiXcDzRMRQepoVI=', {
 *   iss: 'authenticate.int.pomerium.io', aud: 'httpbin.int.pomerium.io',
 *   sub: 'bob', user: 'bob', email: 'bob@pomerium.io', encoding: 'legacy-raw',
 * });
 * ```
 */
export function signLegacyServiceAccountToken(
  secret: Uint8Array | string,
  options: Omit<LegacyServiceAccountTokenOptions, 'secret'>,
): string {
  let key: Uint8Array;
  if (options.encoding === 'legacy-raw') {
    if (typeof secret !== 'string')
      throw new TypeError("encoding 'legacy-raw' needs the shared secret as base64 text");
    key = Buffer.from(secret, 'ascii');
  } else {
    key = hmacKeyBytes(secret);
  }
  const now = options.now ?? nowSeconds();
  const aud =
    options.aud === undefined
      ? undefined
      : Array.isArray(options.aud)
        ? options.aud
        : [options.aud];
  // Field order of pomerium-cli's session state, so payloads read like the documented ones.
  const claims: Record<string, unknown> = {
    iss: options.iss,
    sub: options.sub,
    aud,
    exp: now + (options.expiry ?? 3600),
    nbf: now,
    iat: now,
    email: options.email,
    groups: options.groups,
    user: options.user,
    impersonate_email: options.impersonate_email,
    impersonate_groups: options.impersonate_groups,
  };
  for (const name of Object.keys(claims)) if (claims[name] === undefined) delete claims[name];
  return signCompact('{"alg":"HS256"}', JSON.stringify(claims), 'HS256', key);
}
