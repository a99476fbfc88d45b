// The places an assertion's signature can be checked (option assertionVerification): the attack
// table runs in each, and must give the same answers in all.
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
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
function checkedOffThread(): number {
  return sharedSignatureWorkers()?.stats().offThread ?? 0;
}

/**
 * A suite of tests run in one mode, and the proof that its signatures were checked where the
 * mode says: the workers answered the worker-threads suite's (more than 20), and none of the
 * main-thread suite's.
 */
export function describeMode(mode: VerificationMode, body: () => void): void {
  describe(`signatures checked: ${mode}`, () => {
    let offThreadBefore = 0;
    before(() => void (offThreadBefore = checkedOffThread()));
    after(() => {
      const offThread = checkedOffThread() - offThreadBefore;
      if (mode === 'worker-threads') assert.ok(offThread > 20, `${offThread} checked off-thread`);
      else assert.equal(offThread, 0);
    });
    body();
  });
}
