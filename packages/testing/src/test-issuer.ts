import { randomBytes } from 'node:crypto';
import type { JSONWebKeySet } from 'jose';
import {
  DEFAULT_TEST_USER,
  signAssertion,
  type AssertionClaimsInput,
  type MintAssertionOptions,
} from './assertion.js';
import { startJwksServer, type JwksServer } from './jwks-server.js';
import { decodeSharedSecret } from './lib/shared-secret.js';
import {
  signLegacyServiceAccountToken,
  signServiceAccountToken,
  type LegacyServiceAccountTokenOptions,
  type ServiceAccountTokenOptions,
} from './service-account-token.js';
import { generateSigningKey, type AssertionAlgorithm, type TestSigningKey } from './signing-key.js';

/**
 * Options of {@link createTestIssuer}.
 *
 * @example
 * ```ts
 * import type { TestIssuerOptions } from '@pomerium-auth/testing';
 * const options: TestIssuerOptions = { alg: 'RS256', host: 'api.localhost.pomerium.io', issuerFormat: 'uri' };
 * ```
 */
export interface TestIssuerOptions {
  /** Algorithm of generated keys, default `'ES256'` (Pomerium's default). */
  alg?: AssertionAlgorithm;
  /** Pomerium's base64 `shared_secret`; default 32 random bytes. */
  sharedSecret?: string;
  /** The route host: the assertions' `aud`, and `iss` too. Default `'app.localhost.pomerium.io'`. */
  host?: string;
  /** `'host'` (default): `iss` is the host; `'uri'`: `iss` is `https://<host>/` (`jwt_issuer_format: uri`). */
  issuerFormat?: 'host' | 'uri';
  /** Signing keys to use instead of a generated one; the first signs. */
  keys?: TestSigningKey[];
}

/**
 * A stand-in for Pomerium in a test suite; see {@link createTestIssuer}.
 *
 * @example
 * ```ts
 * import { createTestIssuer, type TestIssuer } from '@pomerium-auth/testing';
 * const issuer: TestIssuer = await createTestIssuer();
 * const token = issuer.mintAssertion({ sub: 'alice', groups: ['admins'] });
 * ```
 */
export interface TestIssuer {
  /** Pomerium's base64 `shared_secret`. */
  readonly sharedSecret: string;
  /** The decoded shared secret: the HMAC key of service-account tokens. */
  readonly sharedSecretBytes: Buffer;
  /** `iss` of assertions: the host, or `https://<host>/`. */
  readonly issuer: string;
  /** `aud` of assertions: the route host. */
  readonly audience: string;
  /** The route host. */
  readonly host: string;
  /** Current signing keys, the signing one first. */
  readonly keys: readonly TestSigningKey[];
  /** The public key set, as Pomerium serves it (`kid`, `alg`, `use: 'sig'` on every key). */
  jwks(): JSONWebKeySet;
  /**
   * Mints an `X-Pomerium-Jwt-Assertion` with Pomerium's exact claim set (`iss`, `aud`, `jti`,
   * `iat`, `exp` = `iat` + 300, `sub` = `user`, `email`, `groups`, `sid`, `name`) and header
   * `{ alg, kid, typ: 'JWT' }`. Claims given override the defaults; `undefined` drops one.
   */
  mintAssertion(claims?: AssertionClaimsInput, options?: MintAssertionOptions): string;
  /** Mints a service-account token in today's format, signed with the shared secret. */
  mintServiceAccountToken(options: ServiceAccountTokenOptions): string;
  /** Mints a historic `pomerium-cli` service-account token, signed with the shared secret. */
  mintLegacyServiceAccountToken(options?: LegacyServiceAccountTokenOptions): string;
  /** Generates a new signing key, puts it first (it now signs) and keeps the older ones. */
  rotateKeys(): Promise<TestSigningKey>;
  /** Removes a key by `kid`; returns whether it was there. */
  removeKey(kid: string): boolean;
  /** Starts a loopback key server publishing this issuer's live key set. */
  serve(options?: { maxAge?: number }): Promise<JwksServer>;
  /** Closes every key server started by {@link TestIssuer.serve}. */
  close(): Promise<void>;
}

/**
 * Creates a test issuer: a signing key, Pomerium's shared secret, and token minting in the
 * exact formats Pomerium produces, so an application behind Pomerium can be tested without
 * Pomerium. Keys are generated per run; this is for tests only.
 *
 * @param options - see {@link TestIssuerOptions}; every field has a default.
 *
 * @example
 * ```ts
 * import { after, test } from 'node:test';
 * import assert from 'node:assert/strict';
 * import { createTestIssuer, assertionHeaders } from '@pomerium-auth/testing';
 *
 * const issuer = await createTestIssuer();
 * const keys = await issuer.serve();
 * after(() => issuer.close());
 * // start the app with jwksUrl: keys.url, issuer: issuer.issuer, audience: issuer.audience
 *
 * test('greets the signed-in user', async () => {
 *   const res = await fetch(`${appUrl}/me`, { headers: assertionHeaders(issuer.mintAssertion({ sub: 'alice' })) });
 *   assert.equal(res.status, 200);
 * });
 * ```
 */
export async function createTestIssuer(options: TestIssuerOptions = {}): Promise<TestIssuer> {
  const alg = options.alg ?? 'ES256';
  const sharedSecret = options.sharedSecret ?? randomBytes(32).toString('base64');
  const sharedSecretBytes = decodeSharedSecret(sharedSecret);
  const host = options.host ?? 'app.localhost.pomerium.io';
  const issuer = options.issuerFormat === 'uri' ? `https://${host}/` : host;
  const keys: TestSigningKey[] = options.keys ? [...options.keys] : [await generateSigningKey(alg)];
  const servers = new Set<JwksServer>();

  const jwks = (): JSONWebKeySet => ({ keys: keys.map((key) => ({ ...key.publicJwk })) });

  return {
    sharedSecret,
    sharedSecretBytes,
    issuer,
    audience: host,
    host,
    get keys() {
      return keys.slice();
    },
    jwks,
    mintAssertion(claims, mintOptions = {}) {
      const key = mintOptions.key ?? keys[0];
      if (key === undefined)
        throw new Error('the test issuer has no signing key left; rotateKeys() adds one');
      return signAssertion({ issuer, audience: host }, key, claims, mintOptions);
    },
    mintServiceAccountToken({ secret, ...rest }) {
      return signServiceAccountToken(secret ?? sharedSecretBytes, rest);
    },
    mintLegacyServiceAccountToken({ secret, ...rest } = {}) {
      const sub = rest.sub ?? rest.user ?? DEFAULT_TEST_USER.id;
      return signLegacyServiceAccountToken(secret ?? sharedSecret, {
        aud: [host],
        email: DEFAULT_TEST_USER.email,
        ...rest,
        sub,
        user: rest.user ?? sub,
      });
    },
    async rotateKeys() {
      const key = await generateSigningKey(keys[0]?.alg ?? alg);
      keys.unshift(key);
      return key;
    },
    removeKey(kid) {
      const index = keys.findIndex((key) => key.kid === kid);
      if (index === -1) return false;
      keys.splice(index, 1);
      return true;
    },
    async serve(serveOptions = {}) {
      const server = await startJwksServer({ jwks, issuer: `https://${host}/`, ...serveOptions });
      servers.add(server);
      return server;
    },
    async close() {
      await Promise.all([...servers].map((server) => server.close()));
      servers.clear();
    },
  };
}
