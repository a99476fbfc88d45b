import { randomUUID } from 'node:crypto';
import { signCompact } from './lib/compact-jws.js';
import type { TestSigningKey } from './signing-key.js';
import { nowSeconds } from './lib/time.js';
import { sortedDefined } from './lib/go-json.js';

/**
 * The claims of Pomerium's identity header `X-Pomerium-Jwt-Assertion`.
 *
 * @example
 * ```ts
 * import type { AssertionClaims } from '@pomerium-auth/testing';
 * const claims: Partial<AssertionClaims> = { sub: 'alice', email: 'alice@corp.example', groups: ['admins'] };
 * ```
 */
export interface AssertionClaims {
  /** The route host, or `https://<host>/` with `jwt_issuer_format: uri`. */
  iss: string;
  /** The route host. */
  aud: string;
  /** A random UUID. */
  jti: string;
  iat: number;
  /** `iat` + 300 (five minutes). */
  exp: number;
  /** The user id. */
  sub: string;
  /** The user id again. */
  user: string;
  email: string;
  /** Group ids then names; always an array, possibly empty. */
  groups: string[];
  /** The session id. */
  sid: string;
  name: string;
}

/**
 * The user an issuer puts in its tokens when a test does not name one.
 *
 * @example
 * ```ts
 * import { DEFAULT_TEST_USER } from '@pomerium-auth/testing';
 * assert.equal(principal.id, DEFAULT_TEST_USER.id);
 * ```
 */
export const DEFAULT_TEST_USER: Readonly<{ id: string; email: string; name: string }> =
  Object.freeze({
    id: 'user-1',
    email: 'user-1@example.com',
    name: 'Test User',
  });

/**
 * Options of {@link TestIssuer.mintAssertion}.
 *
 * @example
 * ```ts
 * import type { MintAssertionOptions } from '@pomerium-auth/testing';
 * const expiredLongAgo: MintAssertionOptions = { now: 1_600_000_000 };
 * ```
 */
export interface MintAssertionOptions {
  /** Key to sign with; defaults to the issuer's first key. */
  key?: TestSigningKey;
  /** Issue time in seconds since the epoch; defaults to now. */
  now?: number;
  /** Seconds until `exp`; defaults to 300, as Pomerium. */
  lifetime?: number;
  /**
   * Fields merged over the JOSE header `{ alg, kid, typ: 'JWT' }`; `undefined` removes one. The
   * signature is still made with the key's own algorithm, so `{ alg: 'none' }` or
   * `{ alg: 'HS256' }` yields a token whose header lies about how it was signed.
   */
  header?: Record<string, unknown>;
}

/**
 * Claims a test passes to {@link TestIssuer.mintAssertion}: any standard claim overrides the
 * default, extra claims are added, and a claim set to `undefined` is left out.
 *
 * @example
 * ```ts
 * import type { AssertionClaimsInput } from '@pomerium-auth/testing';
 * const noExpiry: AssertionClaimsInput = { exp: undefined };
 * ```
 */
export type AssertionClaimsInput = {
  [K in keyof AssertionClaims]?: AssertionClaims[K] | undefined;
} & Record<string, unknown>;

/** Where an assertion is issued: issuer and audience of the route. */
export interface AssertionContext {
  issuer: string;
  audience: string;
}

/** Builds and signs an identity assertion in Pomerium's format. */
export function signAssertion(
  context: AssertionContext,
  key: TestSigningKey,
  claims: AssertionClaimsInput = {},
  options: MintAssertionOptions = {},
): string {
  const iat = options.now ?? nowSeconds();
  // sub and user are the same id in Pomerium's tokens: naming one names both.
  const userId = claims.sub ?? claims.user ?? DEFAULT_TEST_USER.id;
  const defaults: Record<string, unknown> = {
    iss: context.issuer,
    aud: context.audience,
    jti: randomUUID(),
    iat,
    exp: iat + (options.lifetime ?? 300),
    sub: userId,
    user: userId,
    email: DEFAULT_TEST_USER.email,
    groups: [],
    sid: randomUUID(),
    name: DEFAULT_TEST_USER.name,
  };
  const merged: Record<string, unknown> = { ...defaults };
  for (const [name, value] of Object.entries(claims)) merged[name] = value;
  const header = { alg: key.alg, kid: key.kid, typ: 'JWT', ...options.header };
  // The signature follows the key, not the header, which a test may have forged.
  return signCompact(
    JSON.stringify(sortedDefined(header)),
    JSON.stringify(sortedDefined(merged)),
    key.alg,
    key.privateKey,
  );
}
