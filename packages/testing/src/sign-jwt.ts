import type { KeyObject } from 'node:crypto';
import { SIGNERS, signCompact } from './lib/compact-jws.js';

function algOf(header: Record<string, unknown> | string): unknown {
  if (typeof header !== 'string') return header.alg;
  try {
    const parsed: unknown = JSON.parse(header);
    return parsed !== null && typeof parsed === 'object'
      ? (parsed as Record<string, unknown>).alg
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Signs a compact JWS exactly as told, with no checks on what the header or payload say, so
 * tests can build hostile tokens: `alg: none`, an `alg` that does not match the key, extra
 * header fields (`jku`, `jwk`, `x5u`, `crit`, `b64`), duplicate JSON keys, odd payload bytes.
 *
 * The signature is made with the algorithm named by the header's `alg` (HS256/384/512,
 * RS256/384/512, PS256/384/512, ES256/384/512 with `r || s` encoding, EdDSA). With `key` set to
 * `null` the signature segment is empty, whatever the header says.
 *
 * @param header JOSE header object, or a string used as the exact header bytes.
 * @param payload Claims object (serialized with `JSON.stringify`), or a string / bytes used as
 *   the exact payload.
 * @param key A private `KeyObject` for asymmetric algs; a secret `KeyObject` or raw bytes for
 *   HMAC; `null` for an unsigned token.
 * @param options.signingAlg Sign with this algorithm instead of the header's `alg`, for
 *   tokens whose header lies about how they were signed.
 * @returns The compact serialization `header.payload.signature`.
 *
 * @example
 * ```ts
 * import { signJwt, generateSigningKey } from '@pomerium-auth/testing';
 *
 * // An unsigned token, to check that `alg: none` is refused:
 * const none = signJwt({ alg: 'none', typ: 'JWT' }, { sub: 'alice' }, null);
 *
 * // Algorithm confusion: HS256 with the public key's PEM as HMAC secret.
 * const key = await generateSigningKey('RS256');
 * const pem = key.publicKey.export({ format: 'pem', type: 'spki' });
 * const confused = signJwt({ alg: 'HS256', kid: key.kid }, { sub: 'alice' }, Buffer.from(pem));
 *
 * // A header that claims `none` over a real RS256 signature:
 * const lying = signJwt({ alg: 'none' }, { sub: 'alice' }, key.privateKey, { signingAlg: 'RS256' });
 * ```
 */
export function signJwt(
  header: Record<string, unknown> | string,
  payload: Record<string, unknown> | string | Uint8Array,
  key: KeyObject | Uint8Array | null,
  options: { signingAlg?: string } = {},
): string {
  return signCompact(
    typeof header === 'string' ? header : JSON.stringify(header),
    typeof payload === 'string' || payload instanceof Uint8Array
      ? payload
      : JSON.stringify(payload),
    options.signingAlg ?? algOf(header),
    key,
  );
}

/**
 * The `alg` values {@link signJwt} can sign with (any other `alg` needs `key: null`).
 *
 * @example
 * ```ts
 * import { SIGNING_ALGORITHMS } from '@pomerium-auth/testing';
 * for (const alg of SIGNING_ALGORITHMS) console.log(alg);
 * ```
 */
export const SIGNING_ALGORITHMS: readonly string[] = Object.freeze(Object.keys(SIGNERS));
