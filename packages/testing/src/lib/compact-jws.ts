import { constants, createHmac, sign as cryptoSign, KeyObject } from 'node:crypto';
import { base64url } from './base64url.js';

type Signer = (data: Buffer, key: KeyObject | Uint8Array) => Buffer;

function hmac(hash: string): Signer {
  return (data, key) => createHmac(hash, key).update(data).digest();
}

function asymmetric(
  hash: string | null,
  extra: { dsaEncoding?: 'ieee-p1363'; padding?: number; saltLength?: number } = {},
): Signer {
  return (data, key) => {
    if (!(key instanceof KeyObject) || key.type !== 'private') {
      throw new TypeError('signJwt: an asymmetric alg needs a private KeyObject');
    }
    return cryptoSign(hash, data, { key, ...extra });
  };
}

// Every JWS alg a test might want, with the exact signature encoding JOSE expects (RFC 7518):
// ECDSA signatures are r || s (ieee-p1363), never DER.
export const SIGNERS: Record<string, Signer> = {
  HS256: hmac('sha256'),
  HS384: hmac('sha384'),
  HS512: hmac('sha512'),
  RS256: asymmetric('sha256'),
  RS384: asymmetric('sha384'),
  RS512: asymmetric('sha512'),
  PS256: asymmetric('sha256', { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }),
  PS384: asymmetric('sha384', { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }),
  PS512: asymmetric('sha512', { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 }),
  ES256: asymmetric('sha256', { dsaEncoding: 'ieee-p1363' }),
  ES384: asymmetric('sha384', { dsaEncoding: 'ieee-p1363' }),
  ES512: asymmetric('sha512', { dsaEncoding: 'ieee-p1363' }),
  EdDSA: asymmetric(null),
};

/**
 * Signs the compact JWS `header.payload` with `alg`, whatever the header says; `key` null gives
 * an empty signature.
 */
export function signCompact(
  header: string,
  payload: string | Uint8Array,
  alg: unknown,
  key: KeyObject | Uint8Array | null,
): string {
  const signingInput = `${base64url(header)}.${base64url(payload)}`;
  if (key === null) return `${signingInput}.`;
  const signer = typeof alg === 'string' && Object.hasOwn(SIGNERS, alg) ? SIGNERS[alg] : undefined;
  if (signer === undefined) {
    throw new TypeError(
      `signJwt: cannot sign with alg ${JSON.stringify(alg)}; pass key null for an unsigned token`,
    );
  }
  return `${signingInput}.${base64url(signer(Buffer.from(signingInput, 'ascii'), key))}`;
}
