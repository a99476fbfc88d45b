import { createHash, type JsonWebKey } from 'node:crypto';

/**
 * RFC 7638 SHA-256 thumbprint of a public EC or RSA JWK, hex-encoded: the `kid` Pomerium gives
 * its signing keys (`hex(thumbprint)`).
 *
 * @param jwk - a public EC or RSA key (other members, private ones included, are ignored).
 * @throws {TypeError} for another key type.
 *
 * @example
 * ```ts
 * const kid = jwkThumbprintHex({ kty: 'EC', crv: 'P-256', x: '...', y: '...' });
 * ```
 */
export function jwkThumbprintHex(jwk: JsonWebKey): string {
  // Required members only, in lexicographic order, no white space (RFC 7638 section 3).
  const members =
    jwk.kty === 'EC'
      ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
      : jwk.kty === 'RSA'
        ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
        : undefined;
  if (!members) throw new TypeError(`no thumbprint for key type ${String(jwk.kty)}`);
  return createHash('sha256').update(JSON.stringify(members)).digest('hex');
}
