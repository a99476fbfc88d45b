import {
  createECDH,
  createPrivateKey,
  createPublicKey,
  hkdfSync,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { jwkThumbprintHex } from './jwk-thumbprint.js';
import { sharedSecretBytes, type SharedSecretEncoding } from './shared-secret.js';

/** P-256's group order n. */
const P256_ORDER = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
/** Go's keygen.ECDSALegacy reads bitSize/8 + 8 bytes: 40 for P-256. */
const LEGACY_READ_BYTES = 256 / 8 + 8;
const HKDF_INFO = 'derived-jwt-signing-key';

/** The key Pomerium signs assertions with when it has no `signing_key`. */
export interface DerivedSigningKey {
  /** `hex(RFC 7638 thumbprint)`, as Pomerium names it. */
  kid: string;
  alg: 'ES256';
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public JWK as Pomerium publishes it: `use`, `kty`, `kid`, `crv`, `alg`, `x`, `y`. */
  publicJwk: JsonWebKey & { kid: string; alg: 'ES256'; use: 'sig' };
}

/**
 * Computes the P-256 key Pomerium derives from its shared secret when no `signing_key` is set:
 * HKDF-SHA256 over the decoded secret (no salt, info `derived-jwt-signing-key`), whose first 40
 * bytes, read as a big-endian integer b, give the scalar d = b mod (n - 1) + 1 (Go's
 * `keygen.ECDSALegacy`). A service holding the shared secret can verify assertions without
 * fetching any key.
 *
 * @param sharedSecret - Pomerium's `shared_secret` (base64), or its decoded bytes.
 * @param _encoding - the `sharedSecretEncoding` in use. It never changes this key: Pomerium
 *   derives it from the decoded secret in every version that derives one (v0.33 on, long after
 *   v0.14 made the decoded secret the HMAC key), so `'legacy-raw'`, the HMAC key of v0.8 to
 *   v0.13, gives the same key as `'base64'`.
 * @returns the key pair, and the public key as the JWK Pomerium publishes, with its `kid`.
 * @throws {PomeriumAuthConfigError} for a string secret that {@link sharedSecretBytes} refuses
 *   as base64.
 *
 * @example
 * ```ts
 * const { publicJwk } = deriveSigningKey(process.env.POMERIUM_SHARED_SECRET!);
 * console.log(publicJwk.kid);
 * ```
 */
export function deriveSigningKey(
  sharedSecret: string | Uint8Array,
  _encoding: SharedSecretEncoding = 'base64',
): DerivedSigningKey {
  // Always the decoded secret, as Pomerium's GetSharedKey gives deriveSigningKey (config/options.go).
  const secret =
    typeof sharedSecret === 'string'
      ? sharedSecretBytes(sharedSecret, 'base64')
      : Buffer.from(sharedSecret);
  const stream = Buffer.from(
    hkdfSync('sha256', secret, Buffer.alloc(0), HKDF_INFO, LEGACY_READ_BYTES),
  );
  const b = BigInt(`0x${stream.toString('hex')}`);
  const d = (b % (P256_ORDER - 1n)) + 1n;
  const dBytes = Buffer.from(d.toString(16).padStart(64, '0'), 'hex');

  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(dBytes);
  const point = ecdh.getPublicKey(); // 0x04 || X || Y
  const x = point.subarray(1, 33).toString('base64url');
  const y = point.subarray(33, 65).toString('base64url');
  const jwkCore = { kty: 'EC', crv: 'P-256', x, y };
  const kid = jwkThumbprintHex(jwkCore);
  const privateKey = createPrivateKey({
    key: { ...jwkCore, d: dBytes.toString('base64url') },
    format: 'jwk',
  });
  const publicKey = createPublicKey(privateKey);
  return {
    kid,
    alg: 'ES256',
    privateKey,
    publicKey,
    publicJwk: { use: 'sig', kty: 'EC', kid, crv: 'P-256', alg: 'ES256', x, y },
  };
}
