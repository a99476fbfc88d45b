import { verify, type KeyObject } from 'node:crypto';
import { asciiView, signatureView } from './base64url.js';
import type { ParsedJws } from './compact-jws.js';
import { HmacSha256 } from './hmac-sha256.js';

/** The three algorithms the suite verifies: HS256 for service accounts, ES256 and RS256 for assertions. */
export type JwsAlgorithm = 'HS256' | 'ES256' | 'RS256';

const ES256_LENGTH = 64;

/** One {@link HmacSha256} per secret key handed to {@link verifyJwsSignature}. */
const hmacs = new WeakMap<KeyObject, HmacSha256>();

/** The HMAC-SHA256 of a secret key, built once per key. */
export function hmacFor(key: KeyObject): HmacSha256 {
  let hmac = hmacs.get(key);
  if (hmac === undefined) hmacs.set(key, (hmac = new HmacSha256(key)));
  return hmac;
}

/**
 * The key argument of `crypto.verify` for an asymmetric JWS algorithm (ES256 signatures are IEEE
 * P1363 `r || s`, RS256 is RSASSA-PKCS1-v1_5), or undefined when the signature cannot be one of
 * that algorithm (an ES256 signature is exactly 64 bytes).
 */
function asymmetricKey(
  alg: 'ES256' | 'RS256',
  key: KeyObject,
  signature: Uint8Array,
): KeyObject | { key: KeyObject; dsaEncoding: 'ieee-p1363' } | undefined {
  if (alg === 'RS256') return key;
  return signature.length === ES256_LENGTH ? { key, dsaEncoding: 'ieee-p1363' } : undefined;
}

/** ES256 or RS256 over SHA-256, on this thread. */
function verifyAsymmetric(
  alg: 'ES256' | 'RS256',
  data: Uint8Array,
  signature: Uint8Array,
  key: KeyObject,
): boolean {
  const verifyKey = asymmetricKey(alg, key, signature);
  return verifyKey !== undefined && verify('sha256', data, verifyKey, signature);
}

/**
 * An ES256 or RS256 signature over bytes already in hand, on the calling thread: what the
 * main thread runs for an assertion and what each signature worker runs for every item of a
 * batch, so the two can never disagree. Returns false, never throws, for any mismatch.
 *
 * @example
 * ```ts
 * verifyAsymmetricSignature('ES256', Buffer.from(signingInput, 'latin1'), signature, publicKey);
 * ```
 */
export function verifyAsymmetricSignature(
  alg: 'ES256' | 'RS256',
  data: Uint8Array,
  signature: Uint8Array,
  key: KeyObject,
): boolean {
  try {
    return verifyAsymmetric(alg, data, signature, key);
  } catch {
    return false;
  }
}

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
export function verifyJwsSignature(
  alg: JwsAlgorithm,
  signingInput: string,
  signature: Buffer,
  key: KeyObject,
): boolean {
  try {
    // The signing input is base64url text: one byte per character.
    return alg === 'HS256'
      ? hmacFor(key).verify(signingInput, signature)
      : verifyAsymmetric(alg, asciiView(signingInput), signature, key);
  } catch {
    return false;
  }
}

/**
 * {@link verifyJwsSignature} for a {@link ParsedJws}: the signature is decoded, and the signing
 * input written, into buffers reused on this thread, so verifying copies nothing. `key` is the
 * {@link HmacSha256} for HS256, the public key otherwise.
 */
export function verifyParsedJws(jws: ParsedJws, alg: 'HS256', key: HmacSha256): boolean;
export function verifyParsedJws(jws: ParsedJws, alg: 'ES256' | 'RS256', key: KeyObject): boolean;
export function verifyParsedJws(
  jws: ParsedJws,
  alg: JwsAlgorithm,
  key: HmacSha256 | KeyObject,
): boolean {
  try {
    const signature = signatureView(jws.signatureText);
    if (alg === 'HS256') return (key as HmacSha256).verify(jws.signingInput, signature);
    return verifyAsymmetric(alg, asciiView(jws.signingInput), signature, key as KeyObject);
  } catch {
    return false;
  }
}

/**
 * {@link verifyJwsSignature} for ES256 and RS256 on libuv's thread pool (`crypto.verify` with a
 * callback): one thread hand-off each way per signature. No longer used by core (the signature
 * workers batch instead, see the core README, "Performance"); kept for the benchmarks that
 * compare the two. Resolves false, never rejects, on any mismatch.
 *
 * @example
 * ```ts
 * await verifyJwsSignatureOnThreadPool('ES256', decoded.signingInput, decoded.signature, publicKey);
 * ```
 */
export function verifyJwsSignatureOnThreadPool(
  alg: 'ES256' | 'RS256',
  signingInput: string,
  signature: Buffer,
  key: KeyObject,
): Promise<boolean> {
  const verifyKey = asymmetricKey(alg, key, signature);
  if (verifyKey === undefined) return Promise.resolve(false);
  return new Promise((resolve) => {
    try {
      // The thread pool reads these later: they must be the call's own copies, not shared buffers.
      const data = Buffer.from(signingInput, 'latin1');
      verify('sha256', data, verifyKey, signature, (err, ok) => resolve(!err && ok));
    } catch {
      resolve(false);
    }
  });
}
