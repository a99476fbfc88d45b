import { InvalidTokenError, TemporarilyUnavailableError } from '../errors.js';
import type { CredentialSource, Principal } from '../identity.js';
import {
  checkIssuerOrAudience,
  checkTokenTimes,
  optionalString,
  stringArray,
  type TimeRules,
} from '../jwt/claims.js';
import { parseCheckedJws } from '../jwt/compact-jws.js';
import type { HmacSha256 } from '../jwt/hmac-sha256.js';
import { verifyParsedJws } from '../jwt/verify-signature.js';
import type { DirectoryUser, Lookup, ServiceAccountRecord } from '../options.js';
import type { VerifiedCredential } from './verified-credential.js';

/** How service-account tokens are checked. */
export interface ServiceAccountRules {
  /** The shared secret's HMAC. */
  hmac: HmacSha256;
  issuers?: ReadonlySet<string>;
  audiences?: ReadonlySet<string>;
  time: TimeRules;
  serviceAccounts?: Lookup<ServiceAccountRecord>;
  directory?: Lookup<DirectoryUser>;
}

/** Today's tokens (Pomerium's `SignServiceAccount`) name the account in `jti` and carry no `iss`/`aud`/`user`/`email`. */
function isCurrentFormat(claims: Record<string, unknown>): boolean {
  return (
    typeof claims.jti === 'string' &&
    claims.iss === undefined &&
    claims.aud === undefined &&
    claims.user === undefined &&
    claims.email === undefined
  );
}

/**
 * Verifies a Pomerium service-account token (HS256 with the shared secret), in today's format
 * (`jti` = account id, `sub` = user id; expiry and revocation in the account record) or the
 * historic `pomerium-cli` one (`iss`, `aud`, `sub`, `user`, `email`, `groups`, ...).
 *
 * @example
 * ```ts
 * const { principal } = await verifyServiceAccountToken(token, 'authorization-bearer-pomerium', rules);
 * ```
 */
export function verifyServiceAccountToken(
  token: string,
  source: CredentialSource,
  rules: ServiceAccountRules,
  nowSeconds = Date.now() / 1000,
): VerifiedCredential | Promise<VerifiedCredential> {
  // Tokens come from extractCredentials, which checked their compact-JWS syntax.
  const jws = parseCheckedJws(token);
  if (jws.header.alg !== 'HS256')
    throw new InvalidTokenError(
      'algorithm_not_allowed',
      `alg ${JSON.stringify(jws.header.alg)} is not allowed for service accounts`,
    );
  if (!verifyParsedJws(jws, 'HS256', rules.hmac))
    throw new InvalidTokenError('bad_signature', 'HMAC does not verify');
  const claims = jws.payload;
  const exp = checkTokenTimes(claims, rules.time, nowSeconds, false);
  // A token that carries the claim must match the configured value (today's tokens carry neither).
  checkIssuerOrAudience(claims, 'iss', rules.issuers, false);
  checkIssuerOrAudience(claims, 'aud', rules.audiences, false);
  const current = isCurrentFormat(claims);
  const principal = current ? currentPrincipal(claims) : historicPrincipal(claims);
  const verified: VerifiedCredential =
    exp === undefined ? { principal, source } : { principal, source, exp };
  // Synchronous unless a record or directory lookup has to be awaited: this is the hot path.
  const checkRecord = current && rules.serviceAccounts !== undefined;
  if (!checkRecord && !rules.directory) return verified;
  return (async () => {
    if (checkRecord) await checkServiceAccountRecord(rules.serviceAccounts!, principal, nowSeconds);
    if (rules.directory) await enrichFromDirectory(principal, rules.directory);
    return verified;
  })();
}

function currentPrincipal(claims: Record<string, unknown>): Principal {
  const accountId = claims.jti as string;
  const sub = optionalString(claims, 'sub');
  if (!accountId)
    throw new InvalidTokenError('missing_claim', 'service-account token has an empty "jti"');
  if (!sub) throw new InvalidTokenError('missing_claim', 'service-account token has no "sub"');
  return {
    id: sub,
    groups: [],
    kind: 'service-account',
    serviceAccountId: accountId,
    claims: Object.freeze(claims),
  };
}

/** Today's tokens are references: the record decides whether the account still exists and works. */
async function checkServiceAccountRecord(
  serviceAccounts: Lookup<ServiceAccountRecord>,
  principal: Principal,
  nowSeconds: number,
): Promise<void> {
  const accountId = principal.serviceAccountId!;
  const record = await lookup(serviceAccounts, accountId, 'service account');
  if (!record)
    throw new InvalidTokenError(
      'unknown_service_account',
      `no service account ${JSON.stringify(accountId)}`,
    );
  const expiresAt = recordExpiry(record.expiresAt);
  if (expiresAt !== undefined && expiresAt <= nowSeconds)
    throw new InvalidTokenError(
      'service_account_expired',
      `service account ${JSON.stringify(accountId)} expired`,
    );
  if (record.userId !== principal.id)
    throw new InvalidTokenError(
      'service_account_mismatch',
      `service account ${JSON.stringify(accountId)} belongs to another user`,
    );
}

function historicPrincipal(claims: Record<string, unknown>): Principal {
  const id = optionalString(claims, 'user') || optionalString(claims, 'sub');
  if (!id)
    throw new InvalidTokenError('missing_claim', 'service-account token has no "user" or "sub"');
  const principal: Principal = {
    id,
    groups: stringArray(claims, 'groups'),
    kind: 'service-account',
    claims: Object.freeze(claims),
  };
  const email = optionalString(claims, 'email');
  if (email !== undefined) principal.email = email;
  const jti = optionalString(claims, 'jti');
  if (jti) principal.serviceAccountId = jti;
  // Validate the impersonation claims' shape now, so a malformed token fails as a token.
  optionalString(claims, 'impersonate_email');
  stringArray(claims, 'impersonate_groups');
  return principal;
}

/** A service account that acts as a directory user takes that user's email, name and groups. */
async function enrichFromDirectory(
  principal: Principal,
  directory: Lookup<DirectoryUser>,
): Promise<void> {
  const user = await lookup(directory, principal.id, 'directory');
  if (!user) return;
  if (user.email !== undefined && principal.email === undefined) principal.email = user.email;
  if (user.name !== undefined && principal.name === undefined) principal.name = user.name;
  if (user.groups && principal.groups.length === 0) principal.groups = [...user.groups];
}

/** Runs a user-supplied lookup; its failure is ours to report as 503, never a pass. */
export async function lookup<T>(
  fn: Lookup<T>,
  key: string,
  what: string,
): Promise<T | null | undefined> {
  try {
    return await fn(key);
  } catch (err) {
    throw new TemporarilyUnavailableError(
      'lookup_failed',
      `${what} lookup failed: ${err instanceof Error ? err.message : String(err)}`,
      err,
    );
  }
}

function recordExpiry(value: ServiceAccountRecord['expiresAt']): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const ms =
    value instanceof Date
      ? value.getTime()
      : typeof value === 'number'
        ? value < 1e12
          ? value * 1000
          : value
        : Date.parse(value);
  // An expiry that cannot be read is treated as already passed: fail closed.
  return Number.isFinite(ms) ? ms / 1000 : 0;
}
