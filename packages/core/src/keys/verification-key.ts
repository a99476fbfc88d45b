import { createPublicKey, X509Certificate, type JsonWebKey, type KeyObject } from 'node:crypto';

/** The signature algorithms an assertion may use. */
export type AssertionAlgorithm = 'ES256' | 'RS256';

/** A public key ready for `crypto.verify`, with the one algorithm it may verify. */
export interface VerificationKey {
  /** Absent for keys without a name (PEM): such a key is tried for any `kid`. */
  kid?: string;
  alg: AssertionAlgorithm;
  key: KeyObject;
}

/** A key that cannot be used, and why (the caller turns this into its own error type). */
export class KeyImportError extends Error {
  override readonly name = 'KeyImportError';
}

const MIN_RSA_BITS = 2048;

/**
 * Turns a public JWK, or PEM text (SPKI public key or X.509 certificate), into a
 * {@link VerificationKey}. The algorithm follows from the key (P-256 → ES256, RSA → RS256)
 * and must agree with the JWK's `alg` when it names one. Private members are ignored.
 *
 * @example
 * ```ts
 * const key = importVerificationKey({ kty: 'EC', crv: 'P-256', x: '...', y: '...', kid: 'k1' });
 * ```
 */
export function importVerificationKey(input: JsonWebKey | string): VerificationKey {
  let key: KeyObject;
  let kid: string | undefined;
  let declaredAlg: unknown;
  if (typeof input === 'string') {
    const text = input.trim();
    try {
      key = text.includes('BEGIN CERTIFICATE')
        ? new X509Certificate(text).publicKey
        : createPublicKey({ key: text, format: 'pem' });
    } catch (err) {
      throw new KeyImportError(
        `PEM is not a public key or certificate (${(err as Error).message})`,
      );
    }
  } else {
    if (input === null || typeof input !== 'object')
      throw new KeyImportError('is not a JWK object');
    if (input.use !== undefined && input.use !== 'sig')
      throw new KeyImportError(`JWK "use" is ${JSON.stringify(input.use)}, not "sig"`);
    if (
      input.key_ops !== undefined &&
      !(Array.isArray(input.key_ops) && input.key_ops.includes('verify'))
    ) {
      throw new KeyImportError('JWK "key_ops" does not allow "verify"');
    }
    if (input.kid !== undefined && (typeof input.kid !== 'string' || input.kid.length === 0))
      throw new KeyImportError('JWK "kid" is not a non-empty string');
    kid = input.kid;
    declaredAlg = input.alg;
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicMembers } = input;
    try {
      key = createPublicKey({ key: publicMembers, format: 'jwk' });
    } catch (err) {
      throw new KeyImportError(`JWK cannot be imported (${(err as Error).message})`);
    }
  }
  const alg = algorithmOf(key);
  if (declaredAlg !== undefined && declaredAlg !== alg)
    throw new KeyImportError(
      `JWK "alg" is ${JSON.stringify(declaredAlg)} but the key is for ${alg}`,
    );
  // A key imported from a JWK verifies more slowly than the same key imported from DER
  // (bench/README.md has the measurement): re-import it once, here, off the request path.
  const fast = createPublicKey({
    key: key.export({ format: 'der', type: 'spki' }),
    format: 'der',
    type: 'spki',
  });
  return kid === undefined ? { alg, key: fast } : { kid, alg, key: fast };
}

function algorithmOf(key: KeyObject): AssertionAlgorithm {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'ec') {
    if (details?.namedCurve !== 'prime256v1')
      throw new KeyImportError(`EC curve ${String(details?.namedCurve)} is not P-256 (ES256)`);
    return 'ES256';
  }
  if (key.asymmetricKeyType === 'rsa') {
    if ((details?.modulusLength ?? 0) < MIN_RSA_BITS)
      throw new KeyImportError(
        `RSA key of ${String(details?.modulusLength)} bits is shorter than ${MIN_RSA_BITS}`,
      );
    return 'RS256';
  }
  throw new KeyImportError(`key type ${String(key.asymmetricKeyType)} is neither EC P-256 nor RSA`);
}
