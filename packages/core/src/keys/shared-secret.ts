import { createSecretKey, type KeyObject } from 'node:crypto';
import { PomeriumAuthConfigError } from '../errors.js';

/** How the shared secret turns into the HMAC key. */
export type SharedSecretEncoding = 'base64' | 'legacy-raw';

const BASE64 =
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}|[A-Za-z0-9+/]{3})?$/;

/**
 * The bytes of Pomerium's base64 `shared_secret`: the HMAC key of service-account tokens since
 * Pomerium v0.14. With `legacy-raw`, the ASCII of the base64 text itself, as v0.8 to v0.13 used.
 *
 * @param secret - Pomerium's `shared_secret`, as configured (base64).
 * @param encoding - `'base64'` (default), or `'legacy-raw'` for Pomerium v0.8 to v0.13.
 * @param option - the option named in errors (default `sharedSecret`).
 * @throws {PomeriumAuthConfigError} for an empty secret, one that is not base64, or one that
 *   decodes to fewer than 16 bytes.
 *
 * @example
 * ```ts
 * const key = sharedSecretBytes('X/6+31jHCANkIbOajHMACNy+HmDreiXcDzRMRQepoVI='); // 32 bytes
 * ```
 */
export function sharedSecretBytes(
  secret: string,
  encoding: SharedSecretEncoding = 'base64',
  option = 'sharedSecret',
): Buffer {
  const text = secret.trim();
  if (text.length === 0) throw new PomeriumAuthConfigError(option, 'is empty');
  if (!BASE64.test(text))
    throw new PomeriumAuthConfigError(
      option,
      "is not base64 (Pomerium's shared_secret is the base64 of random bytes)",
    );
  if (encoding === 'legacy-raw') return Buffer.from(text, 'ascii');
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length < 16)
    throw new PomeriumAuthConfigError(
      option,
      `decodes to ${bytes.length} bytes; Pomerium's shared_secret is 32 random bytes`,
    );
  return bytes;
}

/** The shared secret as an HMAC `KeyObject`, ready for the request path. */
export function sharedSecretKey(
  secret: string,
  encoding: SharedSecretEncoding = 'base64',
  option = 'sharedSecret',
): KeyObject {
  return createSecretKey(sharedSecretBytes(secret, encoding, option));
}
