import { InvalidTokenError } from '../errors.js';
import type { Principal } from '../identity.js';
import {
  checkIssuerOrAudience,
  checkTokenTimes,
  optionalString,
  stringArray,
  type TimeRules,
} from '../jwt/claims.js';
import { parseCheckedJws, type ParsedJws } from '../jwt/compact-jws.js';
import { RemoteKeySet } from '../keys/remote-key-set.js';
import type { AssertionAlgorithm, VerificationKey } from '../keys/verification-key.js';
import { deepFreeze } from '../lib/deep-freeze.js';
import type { SignatureChecks } from './signature-checks.js';
import type { VerifiedCredential } from './verified-credential.js';

/** Where assertion keys come from, and what assertions must say. */
export interface AssertionRules {
  staticKeys: readonly VerificationKey[];
  /** The key sets of `jwksUrl`, merged (never an empty list). */
  remote?: readonly RemoteKeySet[];
  algorithms: ReadonlySet<AssertionAlgorithm>;
  /** Where the public-key operation runs (option `assertionVerification`). */
  signatures: SignatureChecks;
  issuers?: ReadonlySet<string>;
  audiences?: ReadonlySet<string>;
  time: TimeRules;
}

/**
 * Verifies Pomerium's identity header `X-Pomerium-Jwt-Assertion`: ES256 or RS256 only, a key
 * chosen by `kid` among the configured ones (never one the token names), `exp` required,
 * issuer and audience checked when configured.
 *
 * @example
 * ```ts
 * const { principal } = await verifyAssertion(token, rules);
 * ```
 */
export function verifyAssertion(
  token: string,
  rules: AssertionRules,
  nowSeconds = Date.now() / 1000,
): VerifiedCredential | Promise<VerifiedCredential> {
  // Tokens come from extractCredentials, which checked their compact-JWS syntax.
  const jws = parseCheckedJws(token);
  const alg = jws.header.alg;
  if (!rules.algorithms.has(alg as AssertionAlgorithm))
    throw new InvalidTokenError(
      'algorithm_not_allowed',
      `alg ${JSON.stringify(alg)} is not allowed for assertions`,
    );
  const keys = candidateKeys(rules, jws.header.kid, alg as AssertionAlgorithm);
  // Synchronous when the keys are at hand and the signature is checked here: this is the hot path.
  return Array.isArray(keys)
    ? checkAssertion(jws, keys, rules, nowSeconds)
    : keys.then((k) => checkAssertion(jws, k, rules, nowSeconds));
}

function checkAssertion(
  jws: ParsedJws,
  keys: readonly VerificationKey[],
  rules: AssertionRules,
  nowSeconds: number,
): VerifiedCredential | Promise<VerifiedCredential> {
  const verified = rules.signatures.check(jws, keys);
  return verified instanceof Promise
    ? verified.then((ok) => afterSignature(ok, jws, rules, nowSeconds))
    : afterSignature(verified, jws, rules, nowSeconds);
}

/** Nothing in the token is trusted before its signature has verified. */
function afterSignature(
  verified: boolean,
  jws: ParsedJws,
  rules: AssertionRules,
  nowSeconds: number,
): VerifiedCredential {
  if (!verified) {
    throw new InvalidTokenError(
      'bad_signature',
      `signature does not verify (kid ${JSON.stringify(jws.header.kid)})`,
    );
  }
  return checkClaims(jws, rules, nowSeconds);
}

/** Once the signature holds: times, issuer, audience, and the principal. */
function checkClaims(
  jws: ParsedJws,
  rules: AssertionRules,
  nowSeconds: number,
): VerifiedCredential {
  const claims = jws.payload;
  const exp = checkTokenTimes(claims, rules.time, nowSeconds, true);
  checkIssuerOrAudience(claims, 'iss', rules.issuers, true);
  checkIssuerOrAudience(claims, 'aud', rules.audiences, true);
  return { principal: assertionPrincipal(claims), source: 'assertion', exp };
}

function candidateKeys(
  rules: AssertionRules,
  kid: string | undefined,
  alg: AssertionAlgorithm,
): VerificationKey[] | Promise<VerificationKey[]> {
  const named = rules.staticKeys.filter(
    (k) => k.alg === alg && k.kid !== undefined && k.kid === kid,
  );
  if (named.length > 0) return named;
  // Keys without a name (PEM), or any key when the token names none, are tried in turn.
  const unnamed = rules.staticKeys.filter(
    (k) => k.alg === alg && (k.kid === undefined || kid === undefined),
  );
  if (!rules.remote) {
    if (unnamed.length === 0)
      throw new InvalidTokenError('unknown_key', `no ${alg} key for kid ${JSON.stringify(kid)}`);
    return unnamed;
  }
  const withUnnamed = (remote: VerificationKey[]) =>
    unnamed.length === 0 ? remote : [...remote, ...unnamed];
  const fallback = (err: unknown) => {
    if (unnamed.length > 0) return unnamed;
    throw err;
  };
  try {
    const remote = RemoteKeySet.mergedKeysFor(rules.remote, kid, alg);
    return Array.isArray(remote) ? withUnnamed(remote) : remote.then(withUnnamed, fallback);
  } catch (err) {
    return fallback(err);
  }
}

/** The user an assertion names: `sub` (or `user`), `email`, `name`, `groups`. */
function assertionPrincipal(claims: Record<string, unknown>): Principal {
  const id = optionalString(claims, 'sub') || optionalString(claims, 'user');
  if (!id) throw new InvalidTokenError('missing_claim', 'assertion has no "sub" or "user"');
  const principal: Principal = {
    id,
    groups: stringArray(claims, 'groups'),
    kind: 'user',
    claims: deepFreeze(claims),
  };
  const email = optionalString(claims, 'email');
  const name = optionalString(claims, 'name');
  if (email !== undefined) principal.email = email;
  if (name !== undefined) principal.name = name;
  return principal;
}
