import type { ParsedJws } from '../jwt/compact-jws.js';
import { verifyParsedJws } from '../jwt/verify-signature.js';
import type { VerificationKey } from '../keys/verification-key.js';

/**
 * Where an assertion's signature is checked (option `assertionVerification`): whether it
 * verifies with one of `keys`, tried in turn. On this thread the answer comes at once; a
 * signature worker's comes as a promise. Never throws, never rejects.
 */
export interface SignatureChecks {
  check(jws: ParsedJws, keys: readonly VerificationKey[]): boolean | Promise<boolean>;
}

/**
 * Checks on the calling thread, at once: the main-thread mode, and what the signature workers
 * fall back on (a full queue, a worker that failed, a closed authenticator).
 *
 * @example
 * ```ts
 * if (!checkOnThisThread(jws, keys)) throw new InvalidTokenError('bad_signature', '...');
 * ```
 */
export function checkOnThisThread(jws: ParsedJws, keys: readonly VerificationKey[]): boolean {
  for (const k of keys) if (verifyParsedJws(jws, k.alg, k.key)) return true;
  return false;
}

/** {@link SignatureChecks} on the calling thread. */
export const ON_THIS_THREAD: SignatureChecks = { check: checkOnThisThread };
