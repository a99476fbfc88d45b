import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { jwkThumbprintHex } from '@pomerium-auth/core';
import { importSigningKey, type TestSigningKey } from '@pomerium-auth/testing';
import { CliError, EXIT_CODES } from './cli-error.js';
import type { CommandContext } from './cli-io.js';
import { readNamedFile } from './read-input.js';

/** A public JWK in the member order Pomerium publishes (`use`, `kty`, `kid`, `crv`, `alg`, `x`, `y`). */
export type PublishedJwk = JsonWebKey & { use: 'sig'; kid: string; alg: 'ES256' | 'RS256' };

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new CliError(`${file} is neither PEM nor JSON`, EXIT_CODES.usage);
  }
}

/** Reads a private signing key: PEM, Pomerium's base64 `signing_key`, or a private JWK (JSON). */
export async function readSigningKey(ctx: CommandContext, file: string): Promise<TestSigningKey> {
  const text = readNamedFile(ctx, file, 'signing key').trim();
  try {
    return await importSigningKey(
      text.startsWith('{') ? (parseJson(text, file) as JsonWebKey) : text,
    );
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`${file}: ${(err as Error).message}`, EXIT_CODES.usage);
  }
}

/** Orders a public JWK's members as Pomerium's key set does, and names it by its hex thumbprint. */
export function publishedJwk(key: KeyObject, alg: 'ES256' | 'RS256', kid?: string): PublishedJwk {
  const jwk = key.export({ format: 'jwk' });
  const id = kid ?? jwkThumbprintHex(jwk);
  return jwk.kty === 'EC'
    ? { use: 'sig', kty: 'EC', kid: id, crv: jwk.crv!, alg, x: jwk.x!, y: jwk.y! }
    : { use: 'sig', kty: 'RSA', kid: id, alg, n: jwk.n!, e: jwk.e! };
}

function algorithmOf(key: KeyObject, file: string): 'ES256' | 'RS256' {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1')
    return 'ES256';
  throw new CliError(
    `${file}: Pomerium signs with EC P-256 (ES256) or RSA (RS256) keys, not ${key.asymmetricKeyType ?? 'this key'}`,
    EXIT_CODES.usage,
  );
}

/**
 * The public keys in a key file, as published JWKs: a PEM (public, private or certificate),
 * Pomerium's base64 `signing_key`, a JWK (public or private) or a key set `{ keys: [...] }`.
 */
export function publicJwksOfFile(ctx: CommandContext, file: string): PublishedJwk[] {
  const text = readNamedFile(ctx, file, 'key file').trim();
  const fromPem = (pem: string): PublishedJwk[] => {
    let key: KeyObject;
    try {
      key = createPublicKey(pem);
    } catch (err) {
      throw new CliError(`${file}: not a usable key (${(err as Error).message})`, EXIT_CODES.usage);
    }
    return [publishedJwk(key, algorithmOf(key, file))];
  };
  if (text.startsWith('-----BEGIN')) return fromPem(text);
  if (!text.startsWith('{')) {
    const decoded = Buffer.from(text, 'base64').toString('utf8').trim();
    if (decoded.startsWith('-----BEGIN')) return fromPem(decoded);
    throw new CliError(
      `${file}: expected a PEM key, a base64-encoded PEM, a JWK or a JWKS`,
      EXIT_CODES.usage,
    );
  }
  const json = parseJson(text, file) as { keys?: unknown } & JsonWebKey;
  const jwks = Array.isArray(json.keys) ? (json.keys as JsonWebKey[]) : [json];
  return jwks.map((jwk) => {
    let key: KeyObject;
    try {
      const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk;
      key = createPublicKey({ key: pub, format: 'jwk' });
    } catch (err) {
      throw new CliError(`${file}: not a usable JWK (${(err as Error).message})`, EXIT_CODES.usage);
    }
    return publishedJwk(
      key,
      algorithmOf(key, file),
      typeof jwk.kid === 'string' ? jwk.kid : undefined,
    );
  });
}
