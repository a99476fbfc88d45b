// The places an assertion's signature can be checked (option assertionVerification): the attack
// table runs in each, and must give the same answers in all.
import { createPomeriumAuth, type PomeriumAuthOptions } from '@pomerium-auth/core';
import { sharedSignatureWorkers } from '@pomerium-auth/core/internal';

export const VERIFICATION_MODES = ['main-thread', 'worker-threads'] as const;
export type VerificationMode = (typeof VERIFICATION_MODES)[number];

/**
 * Starts the process's signature workers and waits until they take signatures: until then a
 * worker-threads authenticator checks on the main thread, and the table would not run off it.
 * The warming authenticator stays open, so the workers stay up for the rest of the file.
 */
export async function readySignatureWorkers(
  options: PomeriumAuthOptions,
  token: string,
): Promise<void> {
  const auth = createPomeriumAuth({ ...options, assertionVerification: 'worker-threads' });
  await auth.authenticate({
    method: 'GET',
    url: '/',
    headers: { 'x-pomerium-jwt-assertion': token },
  });
  for (let i = 0; i < 2000 && (sharedSignatureWorkers()?.stats().ready ?? 0) === 0; i++)
    await new Promise((resolve) => setTimeout(resolve, 5));
  if ((sharedSignatureWorkers()?.stats().ready ?? 0) === 0)
    throw new Error('the signature workers did not start');
}

/** Signatures the workers have answered so far. */
export function checkedOffThread(): number {
  return sharedSignatureWorkers()?.stats().offThread ?? 0;
}
