import {
  deriveSigningKey,
  sharedSecretBytes,
  type DerivedSigningKey,
  type SharedSecretEncoding,
} from '@pomerium-auth/core';
import type { CommandContext } from './cli-io.js';
import { OptionOrigins } from './option-origins.js';
import { booleanFlag, type ParsedFlags } from './parse-flags.js';
import { readSharedSecret, type SharedSecretInput } from './read-input.js';

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

/**
 * `--derive-from-shared-secret`: the key pair Pomerium derives from its shared secret when it has
 * no `signing_key`, from the secret as `mint` reads it (the first argument, `-` for standard
 * input, or the environment), checked with `--legacy-raw` as given.
 */
export async function derivedKeyOfFlags(
  ctx: CommandContext,
  command: string,
  flags: ParsedFlags,
): Promise<DerivedSigningKey> {
  const input = await readSharedSecret(ctx, command, flags.positionals[0]);
  const encoding = booleanFlag(flags, 'legacy-raw') ? 'legacy-raw' : 'base64';
  checkSharedSecret(input, encoding);
  return deriveSigningKey(input.secret, encoding);
}
