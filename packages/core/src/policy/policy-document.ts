/**
 * The shape of a Pomerium Policy Language (PPL) document, as Pomerium accepts it for a route's
 * `policy`. Documents are usually YAML text from a configuration file; these types describe the
 * same thing written as JavaScript objects. `compilePolicy` checks every part at run time too,
 * since a document from a file has no types.
 */

/**
 * A string matcher: a bare string (the same as `is`), or an object whose every key must hold.
 *
 * @example
 * ```ts
 * const corp: StringMatcher = { ends_with: '@corp.example', not: 'intern@corp.example' };
 * ```
 */
export type StringMatcher =
  | string
  | {
      is?: string;
      not?: string;
      starts_with?: string;
      ends_with?: string;
      contains?: string;
      in?: readonly string[];
      not_in?: readonly string[];
    };

/**
 * A list matcher over a list of values (a user's groups, a claim's values): a bare value (the
 * same as `has`), or an object whose every key must hold. `has`: some element equals the value;
 * `is`: the list holds exactly one element and it equals the value; `exclude`: no element does.
 *
 * @example
 * ```ts
 * const financeOnly: ListMatcher = { has: 'finance', exclude: 'contractors' };
 * ```
 */
export type ListMatcher<T extends string | number | boolean = string> =
  T | { has?: T; is?: T; exclude?: T };

/**
 * `date`: the request's time is after and/or before an ISO 8601 date or date-time. A value
 * without a zone (`2026-01-02T16:20:00`) is read in `timezone` (an IANA name, default `UTC`).
 *
 * @example
 * ```ts
 * const q1: DateMatcher = { after: '2026-01-01', before: '2026-04-01', timezone: 'Europe/Berlin' };
 * ```
 */
export interface DateMatcher {
  after?: string | Date;
  before?: string | Date;
  timezone?: string;
}

/**
 * `time_of_day`: the request's time of day in `timezone` (required, an IANA name such as
 * `America/Phoenix`) is after and/or before a time (`15:04`, `15:04:05`, `15:04:05.999`,
 * `3:04 PM`, `3:04PM`, `3 PM`, `3PM`). `after` later than `before` is a window across midnight.
 *
 * @example
 * ```ts
 * const officeHours: TimeOfDayMatcher = { timezone: 'Europe/Paris', after: '8:00', before: '18:30' };
 * ```
 */
export interface TimeOfDayMatcher {
  timezone: string;
  after?: string;
  before?: string;
}

/**
 * `day_of_week`: `*`, days separated by `,`, or ranges with `-` (`mon-fri`, `sat,sun`,
 * `monday-wednesday,friday`), English names or three-letter abbreviations, in UTC; or an object
 * with the same string as `days` and an IANA `timezone`.
 *
 * @example
 * ```ts
 * const weekdays: DayOfWeekMatcher = { days: 'mon-fri', timezone: 'America/New_York' };
 * ```
 */
export type DayOfWeekMatcher = string | { days: string; timezone?: string };

/**
 * `pomerium_service_account`: `true`, the principal is a service account; `false`, it is a user;
 * a string, a list or a {@link StringMatcher}, a service account whose id matches.
 *
 * @example
 * ```ts
 * const deployBot: ServiceAccountMatcher = ['sa-deploy', 'sa-release'];
 * ```
 */
export type ServiceAccountMatcher = boolean | readonly string[] | StringMatcher;

/**
 * One criterion: an object with exactly one key. `claim/<name>` reads the claim `<name>` of the
 * effective principal (dots reach into nested objects, as in Pomerium: `claim/address.country`).
 *
 * @example
 * ```ts
 * const criteria: PolicyCriterion[] = [
 *   { email: { ends_with: '@corp.example' } },
 *   { groups: { has: 'finance' } },
 *   { 'claim/department': 'sales' },
 *   { http_method: { in: ['GET', 'HEAD'] } },
 * ];
 * ```
 */
export type PolicyCriterion =
  | { accept: true | null }
  | { reject: true | null }
  | { authenticated_user: true | null }
  | { user: StringMatcher }
  | { email: StringMatcher }
  | { domain: StringMatcher }
  | { groups: ListMatcher }
  | { [claim: `claim/${string}`]: ListMatcher<string | number | boolean> }
  | { http_method: StringMatcher }
  | { http_path: StringMatcher }
  | { source_ip: string | readonly string[] }
  | { date: DateMatcher }
  | { day_of_week: DayOfWeekMatcher }
  | { time_of_day: TimeOfDayMatcher }
  | { pomerium_service_account: ServiceAccountMatcher };

/**
 * The logical operators of an `allow` or `deny`, each a list of criteria. Several operators in
 * one action are OR'd. Beware: `not` holds when **none** of its criteria holds (¬A ∧ ¬B) and
 * `nor` when **not all** of them hold (¬A ∨ ¬B), as in Pomerium, whatever the names suggest.
 *
 * @example
 * ```ts
 * const action: PolicyAction = {
 *   and: [{ domain: 'corp.example' }, { groups: { has: 'support' } }],
 *   not: [{ http_method: 'DELETE' }],
 * };
 * ```
 */
export interface PolicyAction {
  and?: readonly PolicyCriterion[];
  or?: readonly PolicyCriterion[];
  not?: readonly PolicyCriterion[];
  nor?: readonly PolicyCriterion[];
}

/**
 * One rule: access needs some `allow` to match and no `deny` to match, across all rules.
 *
 * @example
 * ```ts
 * const rule: PolicyRule = {
 *   allow: { or: [{ groups: { has: 'finance' } }] },
 *   deny: { or: [{ pomerium_service_account: true }] },
 * };
 * ```
 */
export interface PolicyRule {
  allow?: PolicyAction;
  deny?: PolicyAction;
}

/**
 * What Pomerium accepts as a route's `policy`: one rule, a list of rules, or the same as YAML or
 * JSON text. An empty list denies everything.
 *
 * @example
 * ```ts
 * const doc: PolicyDocument = `
 * allow:
 *   and:
 *     - domain: corp.example
 *     - groups: { has: finance }
 * `;
 * ```
 */
export type PolicyDocument = PolicyRule | readonly PolicyRule[] | string;
