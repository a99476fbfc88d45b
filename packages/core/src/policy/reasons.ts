/**
 * The reasons a criterion gives for its result, Pomerium's words (its `criteria/reasons.go`)
 * where Pomerium has a criterion, and the same pattern for the ones it has not.
 */

/**
 * Why a criterion passed or failed. A {@link PolicyDecision} carries the set of reasons of the
 * side that decided, sorted, as Pomerium's authorize log does.
 *
 * - `user-unauthenticated`: a criterion about the user met an anonymous request.
 * - `<criterion>-ok` / `<criterion>-unauthorized`: the criterion held or did not.
 * - `accept` / `reject`: the criteria of those names.
 * - `policy-error`: evaluation met something it could not read (a claims object whose getters
 *   throw, for instance) and denied. It never comes from a well-formed principal.
 *
 * @example
 * ```ts
 * if (decision.reasons.includes('user-unauthenticated')) res.redirect('/.pomerium/sign_in');
 * ```
 */
export type PolicyReason =
  | 'accept'
  | 'reject'
  | 'user-ok'
  | 'user-unauthorized'
  | 'user-unauthenticated'
  | 'email-ok'
  | 'email-unauthorized'
  | 'domain-ok'
  | 'domain-unauthorized'
  | 'groups-ok'
  | 'groups-unauthorized'
  | 'claim-ok'
  | 'claim-unauthorized'
  | 'http-method-ok'
  | 'http-method-unauthorized'
  | 'http-path-ok'
  | 'http-path-unauthorized'
  | 'source-ip-ok'
  | 'source-ip-unauthorized'
  | 'date-ok'
  | 'date-unauthorized'
  | 'day-of-week-ok'
  | 'day-of-week-unauthorized'
  | 'time-of-day-ok'
  | 'time-of-day-unauthorized'
  | 'service-account-ok'
  | 'service-account-unauthorized'
  | 'policy-error';

// One bit per reason: an operator's reasons are a union of its criteria's, computed as an OR of
// small integers on every evaluation, and turned into a (cached, shared) array only once.
const ALL_REASONS: readonly PolicyReason[] = [
  'accept',
  'claim-ok',
  'claim-unauthorized',
  'date-ok',
  'date-unauthorized',
  'day-of-week-ok',
  'day-of-week-unauthorized',
  'domain-ok',
  'domain-unauthorized',
  'email-ok',
  'email-unauthorized',
  'groups-ok',
  'groups-unauthorized',
  'http-method-ok',
  'http-method-unauthorized',
  'http-path-ok',
  'http-path-unauthorized',
  'policy-error',
  'reject',
  'service-account-ok',
  'service-account-unauthorized',
  'source-ip-ok',
  'source-ip-unauthorized',
  'time-of-day-ok',
  'time-of-day-unauthorized',
  'user-ok',
  'user-unauthenticated',
  'user-unauthorized',
];

const BITS = new Map<PolicyReason, number>(ALL_REASONS.map((reason, i) => [reason, 1 << i]));

/** The bit that stands for `reason` in a reason set. */
export function reasonBit(reason: PolicyReason): number {
  return BITS.get(reason)!;
}

const NO_REASONS: readonly PolicyReason[] = Object.freeze([]);
// Distinct sets are few in practice (a policy yields a handful); the bound only keeps a document
// with very many criteria from growing the cache without end.
const MAX_CACHED_SETS = 4096;
const cache = new Map<number, readonly PolicyReason[]>();

/**
 * The reasons of a bit set, in the order Pomerium lists them (sorted). Arrays are shared between
 * decisions and frozen.
 */
export function reasonsOf(bits: number): readonly PolicyReason[] {
  if (bits === 0) return NO_REASONS;
  const cached = cache.get(bits);
  if (cached !== undefined) return cached;
  const reasons: PolicyReason[] = [];
  for (let i = 0; i < ALL_REASONS.length; i++) if (bits & (1 << i)) reasons.push(ALL_REASONS[i]!);
  Object.freeze(reasons);
  if (cache.size < MAX_CACHED_SETS) cache.set(bits, reasons);
  return reasons;
}
