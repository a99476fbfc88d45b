import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import type { JWK } from 'jose';

/**
 * The algorithms Pomerium signs identity assertions with: ES256 for EC P-256 keys, RS256 for
 * RSA keys.
 *
 * @example
 * ```ts
 * import type { AssertionAlgorithm } from '@pomerium-auth/testing';
 * const alg: AssertionAlgorithm = 'ES256';
 * ```
 */
export type AssertionAlgorithm = 'ES256' | 'RS256';

/**
 * A signing key pair as a test needs it: the private key to sign with, and the public key in
 * both `KeyObject` and JWK form, named by `kid`.
 *
 * @example
 * ```ts
 * import { generateSigningKey, type TestSigningKey } from '@pomerium-auth/testing';
 * const key: TestSigningKey = await generateSigningKey('ES256');
 * console.log(key.kid, key.publicJwk); // 64 hex chars, { kty: 'EC', crv: 'P-256', kid, alg, use: 'sig', x, y }
 * ```
 */
export interface TestSigningKey {
  /** Key id; by default the hex SHA-256 JWK thumbprint (RFC 7638), as Pomerium names its keys. */
  readonly kid: string;
  readonly alg: AssertionAlgorithm;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The public key as published in a JWKS: with `kid`, `alg` and `use: 'sig'`. */
  readonly publicJwk: JWK;
}

/**
 * Anything {@link importSigningKey} can read: a PEM private key (PKCS#8, SEC 1 or PKCS#1), that
 * PEM base64-encoded as in Pomerium's `signing_key` setting, a private JWK, or a private
 * `KeyObject`.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import type { SigningKeyInput } from '@pomerium-auth/testing';
 * const input: SigningKeyInput = readFileSync('signing-key.pem', 'utf8');
 * ```
 */
export type SigningKeyInput = string | JWK | KeyObject;

function algorithmFor(privateKey: KeyObject): AssertionAlgorithm {
  const type = privateKey.asymmetricKeyType;
  if (type === 'ec' && privateKey.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  if (type === 'rsa') return 'RS256';
  throw new TypeError(
    `signing key must be an EC P-256 key (ES256) or an RSA key (RS256), got ${type ?? 'unknown'}` +
      (type === 'ec'
        ? ` on curve ${privateKey.asymmetricKeyDetails?.namedCurve ?? 'unknown'}`
        : ''),
  );
}

function toPrivateKey(input: SigningKeyInput): KeyObject {
  if (input instanceof KeyObject) {
    if (input.type !== 'private') throw new TypeError('signing key must be a private key');
    return input;
  }
  if (typeof input === 'string') {
    const text = input.trim();
    if (text.startsWith('-----BEGIN')) return createPrivateKey(text);
    // Pomerium's `signing_key` is the PEM, base64-encoded once more.
    const decoded = Buffer.from(text, 'base64').toString('utf8').trim();
    if (decoded.startsWith('-----BEGIN')) return createPrivateKey(decoded);
    throw new TypeError('signing key string must be a PEM private key or a base64-encoded PEM');
  }
  if (typeof input.d !== 'string')
    throw new TypeError('signing key JWK must be a private key (with "d")');
  return createPrivateKey({ key: input as JsonWebKey, format: 'jwk' });
}

async function wrap(
  privateKey: KeyObject,
  alg: AssertionAlgorithm,
  kid: string | undefined,
): Promise<TestSigningKey> {
  const publicKey = createPublicKey(privateKey);
  const jwk = publicKey.export({ format: 'jwk' }) as JWK;
  const id =
    kid ?? Buffer.from(await calculateJwkThumbprint(jwk, 'sha256'), 'base64url').toString('hex');
  const publicJwk: JWK = { ...jwk, kid: id, alg, use: 'sig' };
  return Object.freeze({
    kid: id,
    alg,
    privateKey,
    publicKey,
    publicJwk: Object.freeze(publicJwk),
  });
}

/**
 * Generates a fresh signing key: EC P-256 for ES256, RSA 2048 for RS256. Keys live only in
 * memory, for one test run.
 *
 * @param alg `'ES256'` (Pomerium's default) or `'RS256'`.
 * @param kid Key id; defaults to the hex SHA-256 RFC 7638 thumbprint, as Pomerium does.
 *
 * @example
 * ```ts
 * import { generateSigningKey } from '@pomerium-auth/testing';
 * const key = await generateSigningKey('ES256');
 * const rsa = await generateSigningKey('RS256', 'rsa-1');
 * ```
 */
export async function generateSigningKey(
  alg: AssertionAlgorithm = 'ES256',
  kid?: string,
): Promise<TestSigningKey> {
  const { privateKey } =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      : alg === 'RS256'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : (() => {
            throw new TypeError(`alg must be 'ES256' or 'RS256', got ${JSON.stringify(alg)}`);
          })();
  return wrap(privateKey, alg, kid);
}

/**
 * Wraps an existing private key as a {@link TestSigningKey}: a PEM file, Pomerium's base64
 * `signing_key`, a private JWK or a `KeyObject`. The algorithm follows from the key type (EC
 * P-256 → ES256, RSA → RS256); the kid is the JWK's own `kid`, else the hex thumbprint.
 *
 * @param input The private key.
 * @param alg Expected algorithm; a mismatch with the key type throws.
 * @param kid Key id to use instead of the default.
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { importSigningKey } from '@pomerium-auth/testing';
 * const key = await importSigningKey(readFileSync('signing-key.pem', 'utf8'));
 * ```
 */
export async function importSigningKey(
  input: SigningKeyInput,
  alg?: AssertionAlgorithm,
  kid?: string,
): Promise<TestSigningKey> {
  const privateKey = toPrivateKey(input);
  const actual = algorithmFor(privateKey);
  if (alg !== undefined && alg !== actual) {
    throw new TypeError(`signing key is a ${actual} key, not ${alg}`);
  }
  const jwkKid =
    !(input instanceof KeyObject) && typeof input === 'object' && typeof input.kid === 'string'
      ? input.kid
      : undefined;
  return wrap(privateKey, actual, kid ?? jwkKid);
}
