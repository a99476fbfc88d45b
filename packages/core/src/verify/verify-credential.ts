import {
  extractAssertion,
  extractServiceAccountToken,
} from '../credentials/extract-credentials.js';
import type { Principal } from '../identity.js';
import { andThen, boundedLookup, type Maybe } from '../lookups/bounded-lookup.js';
import type { DirectoryUser, Lookup } from '../options.js';
import type { AuthRequest } from '../request.js';
import { checkStanding, type StandingRules } from './account-standing.js';
import type { VerifiedCredential } from './verified-credential.js';
import type { VerifiedTokenCache } from './verified-token-cache.js';
import { verifyAssertion, type AssertionRules } from './verify-assertion.js';
import { verifyServiceAccountToken, type ServiceAccountRules } from './verify-service-account.js';

/** What credential verification needs, built once at construction. */
export interface CredentialRules {
  maxTokenBytes: number;
  /** What assertions are verified with, when they are accepted. */
  assertions?: AssertionRules;
  /** What service-account tokens are verified with, when they are accepted. */
  serviceAccounts?: ServiceAccountRules;
  /** Checked on every request, cached token or not. */
  standing: StandingRules;
  directory?: Lookup<DirectoryUser>;
  cache?: VerifiedTokenCache<VerifiedCredential>;
}

/**
 * Finds the request's credential and verifies it: the decision's first step. Synchronous unless
 * a key fetch or a lookup has to be awaited: this is the hot path. `undefined` when the request
 * carries no credential this configuration reads.
 *
 * Precedence: an accepted assertion wins (Pomerium has already verified whoever sent it), and
 * then the service-account headers are not the credential: their shape does not matter
 * (Pomerium forwards `Authorization: Bearer Pomerium-...` upstream beside the assertion).
 */
export function verifyCredential(
  rules: CredentialRules,
  request: AuthRequest,
): Maybe<VerifiedCredential | undefined> {
  if (rules.assertions) {
    const assertion = extractAssertion(request, rules.maxTokenBytes);
    if (assertion !== undefined) {
      // Pomerium mints a fresh assertion (new jti) for every request: caching them would only cost.
      const verified = verifyAssertion(assertion, rules.assertions);
      return rules.standing.isRevoked
        ? andThen(verified, (v) => stands(v, rules, request))
        : verified;
    }
  }
  if (!rules.serviceAccounts) return undefined;
  const found = extractServiceAccountToken(request, rules.maxTokenBytes);
  if (found === undefined) return undefined;
  // Service-account tokens are long-lived and sent again and again: the cache is for them. It
  // holds nothing but service-account tokens, so an assertion's bytes sent in a service-account
  // header can never hit it. The scheme may differ from the cached one: the source is this request's.
  const cached = rules.cache?.get(found.token);
  if (cached) return stands(ownCopy(cached, found.source), rules, request);
  const verified = verifyServiceAccountToken(found.token, found.source, rules.serviceAccounts);
  // Standing first: a revoked account costs no directory lookup. Nothing is cached before it stands.
  return andThen(stands(verified, rules, request), (v) =>
    andThen(enrichFromDirectory(v.principal, rules), () => remember(rules, found.token, v)),
  );
}

/** The credential once {@link checkStanding} found it still stands. */
function stands(
  credential: VerifiedCredential,
  rules: CredentialRules,
  request: AuthRequest,
): Maybe<VerifiedCredential> {
  return andThen(checkStanding(credential, rules.standing, request), () => credential);
}

/**
 * Each request gets its own principal object: handlers may change `req.user` without touching
 * the cache, and the claims it shares with the cache are deeply frozen. Copied field by field,
 * not with a spread (see bench/README.md, "The per-request copy").
 */
function ownCopy(
  verified: VerifiedCredential,
  source: VerifiedCredential['source'],
): VerifiedCredential {
  const p = verified.principal;
  const principal: Principal = {
    id: p.id,
    groups: p.groups.slice(),
    kind: p.kind,
    claims: p.claims,
  };
  if (p.email !== undefined) principal.email = p.email;
  if (p.name !== undefined) principal.name = p.name;
  if (p.serviceAccountId !== undefined) principal.serviceAccountId = p.serviceAccountId;
  if (p.namespace !== undefined) principal.namespace = p.namespace;
  const copy: VerifiedCredential = { principal, source };
  if (verified.exp !== undefined) copy.exp = verified.exp;
  if (verified.current !== undefined) copy.current = verified.current;
  return copy;
}

/**
 * Offers a verified service-account token to the cache; stored at its second verification (the
 * cache's doorkeeper), so a token sent once costs nothing more. What the cache keeps is never
 * what the request receives.
 */
function remember(
  rules: CredentialRules,
  token: string,
  verified: VerifiedCredential,
): VerifiedCredential {
  return rules.cache?.offer(token, verified, verified.exp)
    ? ownCopy(verified, verified.source)
    : verified;
}

/** A service account that acts as a directory user takes that user's email, name and groups. */
function enrichFromDirectory(principal: Principal, rules: CredentialRules): Maybe<void> {
  const directory = rules.directory;
  if (!directory) return;
  return andThen(
    boundedLookup(directory, principal.id, 'directory', rules.standing.lookupTimeout),
    (user) => {
      if (!user) return;
      if (user.email !== undefined && principal.email === undefined) principal.email = user.email;
      if (user.name !== undefined && principal.name === undefined) principal.name = user.name;
      if (Array.isArray(user.groups) && principal.groups.length === 0) {
        principal.groups = user.groups.filter((g): g is string => typeof g === 'string');
      }
    },
  );
}
