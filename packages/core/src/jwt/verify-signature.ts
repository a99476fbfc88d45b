import { createHmac, timingSafeEqual, verify, type KeyObject } from 'node:crypto';

/** The three algorithms the suite verifies: HS256 for service accounts, ES256 and RS256 for assertions. */
export type JwsAlgorithm = 'HS256' | 'ES256' | 'RS256';

const HS256_LENGTH = 32;
const ES256_LENGTH = 64;

/**
 * Checks a JWS signature with node:crypto directly (no WebCrypto round trip): HMAC-SHA256 with a
 * constant-time compare, ECDSA P-256 with IEEE P1363 (r || s) signatures, RSASSA-PKCS1-v1_5.
 * Returns false, never throws, for any mismatch.
 *
 * @example
 * ```ts
 * verifyJwsSignature('ES256', decoded.signingInput, decoded.signature, publicKey);
 * ```
 */
export function verifyJwsSignature(alg: JwsAlgorithm, signingInput: string, signature: Buffer, key: KeyObject): boolean {
  try {
    switch (alg) {
      case 'HS256': {
        if (signature.length !== HS256_LENGTH) return false;
        const expected = createHmac('sha256', key).update(signingInput, 'latin1').digest();
        return timingSafeEqual(expected, signature);
      }
      case 'ES256':
        if (signature.length !== ES256_LENGTH) return false;
        // The signing input is base64url text: latin1 encodes it byte for byte, faster than utf8.
        return verify('sha256', Buffer.from(signingInput, 'latin1'), { key, dsaEncoding: 'ieee-p1363' }, signature);
      case 'RS256':
        return verify('sha256', Buffer.from(signingInput, 'latin1'), key, signature);
    }
  } catch {
    return false;
  }
}
