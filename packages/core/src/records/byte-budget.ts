/**
 * Bytes that decompression may still produce while one payload is decoded. Every layer
 * (an archive's inflated files, gzip'd files inside it) draws from the same budget, so that
 * no nesting of compressed layers can make a payload cost more than its `maxBytes` in output.
 *
 * @example
 * ```ts
 * const budget = new ByteBudget(64 << 20);
 * budget.take(declaredSize, 'users.json'); // throws once the budget is spent
 * ```
 */
export class ByteBudget {
  #remaining: number;

  constructor(readonly limit: number) {
    this.#remaining = limit;
  }

  /** What may still be produced. */
  get remaining(): number {
    return this.#remaining;
  }

  /**
   * Draws `bytes` from the budget.
   *
   * @throws {Error} When fewer than `bytes` remain, naming `what`.
   */
  take(bytes: number, what: string): void {
    if (bytes > this.#remaining)
      throw new Error(`${what}: decompressed content larger than maxBytes (${this.limit})`);
    this.#remaining -= bytes;
  }
}
