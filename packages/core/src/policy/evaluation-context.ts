/**
 * One evaluation's view of its input: each field is read once and only when a criterion asks,
 * and a field of the wrong type reads as absent (a method that is not a string as `''`, an
 * address that is not one as none).
 */
import type { Principal } from '../identity.js';
import { parseIpAddress, type IpAddress } from './ip-ranges.js';
import type { PolicyInput } from './policy-decision.js';

// The instants a Date can hold; outside them (or NaN) time criteria fail.
const MAX_TIME = 8.64e15;

export class EvaluationContext {
  /** The principal, or undefined when the request is anonymous (or `user` is not an object). */
  readonly user: Principal | undefined;
  /** The path the criteria compare: set by the evaluator (the raw or the canonical form). */
  path = '';
  readonly #input: PolicyInput;
  #ip: IpAddress | null | undefined;
  #now: number | undefined;

  constructor(input: PolicyInput) {
    this.#input = input;
    const user = input.user;
    this.user = typeof user === 'object' && user !== null ? user : undefined;
  }

  /** The method, or `''` when the input has none. */
  get method(): string {
    const method = this.#input.method;
    return typeof method === 'string' ? method : '';
  }

  /** The client address, parsed; `null` when absent or not an address. */
  get ip(): IpAddress | null {
    if (this.#ip === undefined) {
      const ip = this.#input.ip;
      this.#ip = (typeof ip === 'string' ? parseIpAddress(ip) : undefined) ?? null;
    }
    return this.#ip;
  }

  /** The request's time, or NaN when `now` is not a time a Date can hold. */
  get now(): number {
    if (this.#now === undefined) {
      const now = this.#input.now ?? Date.now();
      this.#now = typeof now === 'number' && Math.abs(now) <= MAX_TIME ? now : Number.NaN;
    }
    return this.#now;
  }
}

/** A string field of the principal, or `''` (what Pomerium's Rego reads for a missing field). */
export function principalString(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
