import { usableCores } from './usable-cores.js';

/**
 * The values of option `assertionVerification`. `'thread-pool'` is the earlier name of
 * `'worker-threads'`, kept as an alias.
 */
export type AssertionVerification = 'auto' | 'main-thread' | 'worker-threads' | 'thread-pool';

/**
 * Where signatures are checked for a value of `assertionVerification`: `'auto'` (the default)
 * picks the worker threads when the process has more than one usable core ({@link usableCores}:
 * CPU affinity and cgroup quota), the main thread when it has one.
 *
 * @example
 * ```ts
 * chooseVerification('auto'); // 'worker-threads' on a 2-core machine
 * ```
 */
export function chooseVerification(
  value: AssertionVerification,
  cores: () => number = usableCores,
): 'main-thread' | 'worker-threads' {
  if (value === 'main-thread') return 'main-thread';
  if (value === 'worker-threads' || value === 'thread-pool') return 'worker-threads';
  return cores() > 1 ? 'worker-threads' : 'main-thread';
}
