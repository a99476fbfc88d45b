import { sharedSecretBytes, type SharedSecretEncoding } from '@pomerium-auth/core';
import { OptionOrigins } from './option-origins.js';
import type { SharedSecretInput } from './read-input.js';

/** How messages name the shared secret read from `input`: `the shared secret (POMERIUM_SHARED_KEY)`. */
export function sharedSecretOrigin(input: Pick<SharedSecretInput, 'from'>): string {
  return `the shared secret (${input.from})`;
}

/**
 * Checks the secret with core's own rules (base64, at least 16 bytes); a bad one is a usage error
 * naming where the user put it (the argument, a variable, standard input).
 */
export function checkSharedSecret(
  input: SharedSecretInput,
  encoding: SharedSecretEncoding,
): Buffer {
  const origins = new OptionOrigins();
  origins.set('sharedSecret', sharedSecretOrigin(input));
  return origins.check(() => sharedSecretBytes(input.secret, encoding, 'sharedSecret'));
}
