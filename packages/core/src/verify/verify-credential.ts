import {
  ASSERTION_FOR_HEADER,
  extractAssertion,
  extractBearerAssertion,
  extractCookieToken,
  extractServiceAccountToken,
  checkToken,
} from '../credentials/extract-credentials.js';
import { InvalidRequestError, InvalidTokenError, isPomeriumAuthError } from '../errors.js';
import { tooOldAfter } from '../jwt/claims.js';
import { singleHeaderValue } from '../request.js';
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
  /** Where credentials are read from (option `sources`). */
  read: {
    assertionHeader: boolean;
    bearerAssertion: boolean;
    serviceAccountHeaders: boolean;
    /** The cookie holding a service-account token, when the `cookie` source is on. */
    cookie?: string;
  };
  /** What assertions are verified with, when any assertion source is on. */
  assertions?: AssertionRules;
  /**
   * How `x-pomerium-jwt-assertion-for` is verified (option `assertionFor`): the assertion keys
   * and times, not this route's issuer and audience (it was minted for the first route of the chain).
   */
  assertionFor?: AssertionRules;
  /** What service-account tokens are verified with, when any service-account source is on. */
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
  const found = findCredential(rules, request);
  if (found === undefined) return undefined;
  let verified: Maybe<VerifiedCredential>;
  if (found.kind === 'assertion') {
    // Pomerium mints a fresh assertion (new jti) for every request: caching them would only cost.
    verified = verifyAssertion(found.token, rules.assertions!);
    if (found.source !== 'assertion')
      verified = andThen(verified, (v) => ((v.source = found.source), v));
    if (rules.standing.isRevoked) verified = andThen(verified, (v) => stands(v, rules, request));
  } else {
    verified = verifyServiceAccount(rules, request, found.token, found.source);
  }
  return rules.assertionFor
    ? andThen(verified, (v) => withOnBehalfOf(v, rules, request))
    : verified;
}

/** A credential found in a request, before verification. */
type FoundCredential =
  | { kind: 'assertion'; source: 'assertion' | 'authorization-bearer-assertion'; token: string }
  | {
      kind: 'service-account';
      source: Exclude<VerifiedCredential['source'], 'assertion' | 'authorization-bearer-assertion'>;
      token: string;
    };

/**
 * The request's credential among the sources that are on, in this order: the assertion header,
 * the assertion as `Authorization: Bearer`, the service-account headers, the cookie. An
 * assertion is Pomerium's proof and wins: once one is found, nothing else is read (a malformed
 * or ambiguous service-account header beside it does not matter). A service-account token is
 * one token wherever it is sent: a header and the cookie carrying the same one are that token
 * (reported as the header's source), and different ones are `invalid_request`
 * (`ambiguous_credentials`), as two different service-account headers are.
 */
function findCredential(rules: CredentialRules, request: AuthRequest): FoundCredential | undefined {
  const { read, maxTokenBytes } = rules;
  if (read.assertionHeader) {
    const token = extractAssertion(request, maxTokenBytes);
    if (token !== undefined) return { kind: 'assertion', source: 'assertion', token };
  }
  if (read.bearerAssertion) {
    const token = extractBearerAssertion(request, maxTokenBytes);
    if (token !== undefined)
      return { kind: 'assertion', source: 'authorization-bearer-assertion', token };
  }
  const header = read.serviceAccountHeaders
    ? extractServiceAccountToken(request, maxTokenBytes)
    : undefined;
  const cookie =
    read.cookie === undefined ? undefined : extractCookieToken(request, read.cookie, maxTokenBytes);
  if (header !== undefined) {
    if (cookie !== undefined && cookie !== header.token) {
      throw new InvalidRequestError(
        'ambiguous_credentials',
        `${header.source} and cookie ${read.cookie!} carry different tokens`,
      );
    }
    return { kind: 'service-account', ...header };
  }
  if (cookie !== undefined) return { kind: 'service-account', source: 'cookie', token: cookie };
  return undefined;
}

/**
 * A service-account token: from the cache when it was verified before, else verified; its
 * standing (record, namespace, `isRevoked`) checked either way.
 */
function verifyServiceAccount(
  rules: CredentialRules,
  request: AuthRequest,
  token: string,
  source: VerifiedCredential['source'],
): Maybe<VerifiedCredential> {
  // Service-account tokens are long-lived and sent again and again: the cache is for them. It
  // holds nothing but service-account tokens, so an assertion's bytes sent in a service-account
  // header can never hit it. The scheme may differ from the cached one: the source is this request's.
  const cached = rules.cache?.get(token);
  if (cached) return stands(ownCopy(cached, source), rules, request);
  const verified = verifyServiceAccountToken(token, source, rules.serviceAccounts!);
  // Standing first: a revoked account costs no directory lookup. Nothing is cached before it stands.
  return andThen(stands(verified, rules, request), (v) =>
    andThen(enrichFromDirectory(v.principal, rules), () => remember(rules, token, v)),
  );
}

/**
 * Verifies `x-pomerium-jwt-assertion-for`, when sent, into `onBehalfOf`: the original user
 * behind a chain of services. It never changes who authenticated; a bad one is refused like a
 * bad assertion.
 */
function withOnBehalfOf(
  credential: VerifiedCredential,
  rules: CredentialRules,
  request: AuthRequest,
): Maybe<VerifiedCredential> {
  const value = singleHeaderValue(request, ASSERTION_FOR_HEADER, true);
  if (!value) return credential;
  const token = checkToken(value, rules.maxTokenBytes, ASSERTION_FOR_HEADER);
  const refused = (err: unknown): never => {
    if (isPomeriumAuthError(err) && err.code === 'invalid_token') {
      throw new InvalidTokenError(err.reason, `${ASSERTION_FOR_HEADER}: ${err.detail ?? ''}`, err);
    }
    throw err;
  };
  let original: Maybe<VerifiedCredential>;
  try {
    original = verifyAssertion(token, rules.assertionFor!);
  } catch (err) {
    return refused(err);
  }
  const attach = (v: VerifiedCredential): VerifiedCredential => {
    credential.onBehalfOf = v.principal;
    return credential;
  };
  return original instanceof Promise ? original.then(attach, refused) : attach(original);
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
 * what the request receives. A hit skips the token's time checks, so the entry ends when they
 * would first refuse it: at `exp`, or sooner when `maxTokenAge` makes the token too old.
 */
function remember(
  rules: CredentialRules,
  token: string,
  verified: VerifiedCredential,
): VerifiedCredential {
  const cache = rules.cache;
  if (cache === undefined) return verified;
  const tooOld = tooOldAfter(verified.principal.claims, rules.serviceAccounts!.time);
  const until = tooOld === undefined ? verified.exp : Math.min(tooOld, verified.exp ?? Infinity);
  return cache.offer(token, verified, until) ? ownCopy(verified, verified.source) : verified;
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
