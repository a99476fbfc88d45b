import type { TestContext } from 'node:test';

/**
 * The process warnings emitted while a test runs, collected for it to assert instead of printed.
 * Node prints each process warning through a `'warning'` listener of its own; it is set aside
 * for the test and put back after it.
 *
 * @example
 * ```ts
 * test('warns once', async (t) => {
 *   const warnings = captureProcessWarnings(t);
 *   somethingThatWarns();
 *   await sleep(20); // process.emitWarning emits on the next tick
 *   assert.equal(warnings.length, 1);
 * });
 * ```
 */
export function captureProcessWarnings(t: TestContext): Error[] {
  const printers = process.listeners('warning');
  const warnings: Error[] = [];
  const collect = (warning: Error): void => void warnings.push(warning);
  process.removeAllListeners('warning');
  process.on('warning', collect);
  t.after(() => {
    process.off('warning', collect);
    for (const printer of printers) process.on('warning', printer);
  });
  return warnings;
}
