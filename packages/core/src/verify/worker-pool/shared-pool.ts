import type { ParsedJws } from '../../jwt/compact-jws.js';
import type { VerificationKey } from '../../keys/verification-key.js';
import { checkOnThisThread, type SignatureChecks } from '../signature-checks.js';
import { SignatureWorkerPool } from './signature-worker-pool.js';
import { usableCores } from './usable-cores.js';

/** One authenticator's hold on the process's signature workers. */
export interface SignatureWorkersLease extends SignatureChecks {
  /**
   * Lets go: this holder's later signatures are checked on the main thread, and when it was the
   * last holder the workers end. Resolves once they have. Calling it again does nothing more.
   */
  release(): Promise<void>;
}

/** Signatures queued or in flight per worker thread before the main thread takes the excess. */
const MAX_PENDING_PER_THREAD = 64;
/** One event loop cannot feed more: past a few workers, batches only get smaller. */
const MAX_THREADS = 4;

/**
 * The pool's size on this machine: one worker per usable core beyond the main thread's, up to
 * four.
 *
 * @example
 * ```ts
 * new SignatureWorkerPool(defaultPoolSize());
 * ```
 */
export function defaultPoolSize(cores: number = usableCores()): {
  threads: number;
  maxPending: number;
} {
  const threads = Math.min(MAX_THREADS, Math.max(1, cores - 1));
  return { threads, maxPending: MAX_PENDING_PER_THREAD * threads };
}

let shared: { pool: SignatureWorkerPool; holders: number } | undefined;

/**
 * A hold on the process's one signature-worker pool, shared by every authenticator that
 * verifies off the main thread (an app that builds a middleware per route still gets a handful
 * of threads, not a handful per route). The pool starts no thread until the first signature.
 *
 * @example
 * ```ts
 * const lease = leaseSignatureWorkers();
 * const verified = await lease.check(jws, keys);
 * await lease.release();
 * ```
 */
export function leaseSignatureWorkers(): SignatureWorkersLease {
  // A pool closed from outside (tests, benchmarks) is not handed out again.
  if (shared === undefined || shared.pool.stats().closed)
    shared = { pool: new SignatureWorkerPool(defaultPoolSize()), holders: 0 };
  const current = shared;
  current.holders++;
  let released: Promise<void> | undefined;
  return {
    check: (jws: ParsedJws, keys: readonly VerificationKey[]) =>
      released === undefined ? current.pool.check(jws, keys) : checkOnThisThread(jws, keys),
    release() {
      if (released !== undefined) return released;
      released = Promise.resolve();
      if (--current.holders === 0) {
        if (shared === current) shared = undefined;
        released = current.pool.close();
      }
      return released;
    },
  };
}

/**
 * The process's shared pool, when one exists: for tests and benchmarks that watch its threads.
 *
 * @example
 * ```ts
 * sharedSignatureWorkers()?.stats().threads; // 1
 * ```
 */
export function sharedSignatureWorkers(): SignatureWorkerPool | undefined {
  return shared?.pool;
}
