import { InvalidTokenError } from '../errors.js';
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
import { deepFreeze } from '../lib/deep-freeze.js';
import type { VerifiedCredential } from './verified-credential.js';

/** How service-account tokens are checked. */
export interface ServiceAccountRules {
  /** One HMAC per configured shared secret: during a rotation, each verifies. */
  hmacs: readonly HmacSha256[];
  issuers?: ReadonlySet<string>;
  audiences?: ReadonlySet<string>;
  time: TimeRules;
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
 * Verifies a Pomerium service-account token (HS256 with one of the shared secrets), in today's
 * format (`jti` = account id, `sub` = user id; expiry and revocation in the account record) or
 * the historic `pomerium-cli` one (`iss`, `aud`, `sub`, `user`, `email`, `groups`, ...). Checks
 * the token alone: its account's record, namespace and directory user are checked by
 * `verifyCredential` on every request. The claims are frozen, nested values included.
 *
 * @example
 * ```ts
 * const { principal, current } = verifyServiceAccountToken(token, 'authorization-bearer-pomerium', rules);
 * ```
 */
export function verifyServiceAccountToken(
  token: string,
  source: CredentialSource,
  rules: ServiceAccountRules,
  nowSeconds = Date.now() / 1000,
): VerifiedCredential {
  // Tokens come from extractCredentials, which checked their compact-JWS syntax.
  const jws = parseCheckedJws(token);
  if (jws.header.alg !== 'HS256') {
    throw new InvalidTokenError(
      'algorithm_not_allowed',
      `alg ${JSON.stringify(jws.header.alg)} is not allowed for service accounts`,
    );
  }
  if (!rules.hmacs.some((hmac) => verifyParsedJws(jws, 'HS256', hmac))) {
    throw new InvalidTokenError('bad_signature', 'HMAC does not verify');
  }
  const claims = deepFreeze(jws.payload);
  const exp = checkTokenTimes(claims, rules.time, nowSeconds, false);
  // A token that carries the claim must match the configured value (today's tokens carry neither).
  checkIssuerOrAudience(claims, 'iss', rules.issuers, false);
  checkIssuerOrAudience(claims, 'aud', rules.audiences, false);
  const current = isCurrentFormat(claims);
  const principal = current ? currentPrincipal(claims) : historicPrincipal(claims);
  const verified: VerifiedCredential = { principal, source, current };
  if (exp !== undefined) verified.exp = exp;
  return verified;
}

function currentPrincipal(claims: Readonly<Record<string, unknown>>): Principal {
  const accountId = claims.jti as string;
  const sub = optionalString(claims, 'sub');
  if (!accountId)
    throw new InvalidTokenError('missing_claim', 'service-account token has an empty "jti"');
  if (!sub) throw new InvalidTokenError('missing_claim', 'service-account token has no "sub"');
  return { id: sub, groups: [], kind: 'service-account', serviceAccountId: accountId, claims };
}

function historicPrincipal(claims: Readonly<Record<string, unknown>>): Principal {
  const id = optionalString(claims, 'user') || optionalString(claims, 'sub');
  if (!id)
    throw new InvalidTokenError('missing_claim', 'service-account token has no "user" or "sub"');
  const principal: Principal = {
    id,
    groups: stringArray(claims, 'groups'),
    kind: 'service-account',
    claims,
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
