import {
  PomeriumAuthConfigError,
  sharedSecretBytes,
  type SharedSecretEncoding,
} from '@pomerium-auth/core';
import { usageError } from './cli-error.js';
import type { SharedSecretInput } from './read-input.js';

/** Checks the secret with core's own rules (base64, at least 16 bytes) and names where it came from. */
export function checkSharedSecret(
  command: string,
  input: SharedSecretInput,
  encoding: SharedSecretEncoding,
): Buffer {
  try {
    return sharedSecretBytes(input.secret, encoding, 'shared secret');
  } catch (err) {
    if (err instanceof PomeriumAuthConfigError) {
      throw usageError(
        command,
        `the shared secret from ${input.from} ${err.message.replace(/^pomerium-auth: option "[^"]*": /, '')}`,
      );
    }
    throw err;
  }
}
