/**
 * The criteria the application evaluates, each compiled from its data once. Their meanings are
 * Pomerium's (`pkg/policy/criteria`), with the reasons it gives; the README's "Policies" section
 * has the table.
 */
import { claimValues } from './claim-values.js';
import {
  closestName,
  describe,
  isPlainObject,
  policyError,
  stringListAt,
  wrongType,
} from './document-values.js';
import { principalString, type EvaluationContext } from './evaluation-context.js';
import { parseIpRange, type IpRange } from './ip-ranges.js';
import { compileListMatcher, compileStringMatcher, type StringTest } from './matchers.js';
import type { PolicyReason } from './reasons.js';
import { compileDate, compileDayOfWeek, compileTimeOfDay, type TimeTest } from './time-criteria.js';

/** A criterion's result: it failed, it passed, or it needed a user and the request had none. */
export const FAIL = 0;
export const PASS = 1;
export const UNAUTHENTICATED = 2;
export type Outcome = typeof FAIL | typeof PASS | typeof UNAUTHENTICATED;

/** What a criterion reads of the input. */
export type InputField = 'user' | 'method' | 'path' | 'ip' | 'now';

/** A compiled criterion. */
export interface CriterionRule {
  readonly test: (ctx: EvaluationContext) => Outcome;
  readonly pass: PolicyReason;
  readonly fail: PolicyReason;
  readonly reads: InputField | undefined;
}

type Compile = (data: unknown, path: string, subPath: string) => CriterionRule;

/** A criterion about the user: anonymous requests fail it with `user-unauthenticated`. */
function aboutUser(
  pass: PolicyReason,
  fail: PolicyReason,
  holds: (user: NonNullable<EvaluationContext['user']>) => boolean,
): CriterionRule {
  return {
    test: (ctx) => (ctx.user === undefined ? UNAUTHENTICATED : holds(ctx.user) ? PASS : FAIL),
    pass,
    fail,
    reads: 'user',
  };
}

function onString(
  pass: PolicyReason,
  fail: PolicyReason,
  reads: InputField,
  read: (ctx: EvaluationContext) => string,
  test: StringTest,
): CriterionRule {
  return { test: (ctx) => (test(read(ctx)) ? PASS : FAIL), pass, fail, reads };
}

/** `accept: true`: Pomerium ignores the value, so `accept: false` would accept; it is refused. */
function flag(data: unknown, path: string): void {
  if (data !== true && data !== null && data !== undefined)
    policyError(
      path,
      `must be true, got ${describe(data)} (Pomerium ignores the value, so anything else would mislead)`,
    );
}

function timeCriterion(pass: PolicyReason, fail: PolicyReason, test: TimeTest): CriterionRule {
  return {
    test: (ctx) => {
      const now = ctx.now;
      return !Number.isNaN(now) && test(now) ? PASS : FAIL;
    },
    pass,
    fail,
    reads: 'now',
  };
}

function sourceIp(data: unknown, path: string): CriterionRule {
  const items = Array.isArray(data) ? data : [data];
  const ranges: IpRange[] = items.map((item: unknown, i) => {
    const itemPath = Array.isArray(data) ? `${path}[${i}]` : path;
    if (typeof item !== 'string')
      return wrongType(item, itemPath, 'an IP address or CIDR range (10.0.0.0/8, 2001:db8::/32)');
    return (
      parseIpRange(item) ??
      policyError(itemPath, `${JSON.stringify(item)} is not an IP address or CIDR range`)
    );
  });
  return {
    test: (ctx) => {
      const ip = ctx.ip;
      if (ip === null) return FAIL;
      for (const range of ranges) if (range.contains(ip)) return PASS;
      return FAIL;
    },
    pass: 'source-ip-ok',
    fail: 'source-ip-unauthorized',
    reads: 'ip',
  };
}

function serviceAccount(data: unknown, path: string): CriterionRule {
  const pass = 'service-account-ok';
  const fail = 'service-account-unauthorized';
  if (typeof data === 'boolean')
    return aboutUser(pass, fail, (user) => (user.kind === 'service-account') === data);
  let test: StringTest;
  if (Array.isArray(data)) {
    const ids = stringListAt(data, path);
    test = (id) => ids.includes(id);
  } else test = compileStringMatcher(data, path);
  return aboutUser(
    pass,
    fail,
    (user) => user.kind === 'service-account' && test(principalString(user.serviceAccountId)),
  );
}

/** The domain of an email as Pomerium's Rego computes it: `split(email, "@")[1]`. */
function emailDomain(email: string): string | undefined {
  const at = email.indexOf('@');
  if (at === -1) return undefined;
  const next = email.indexOf('@', at + 1);
  return next === -1 ? email.slice(at + 1) : email.slice(at + 1, next);
}

const CRITERIA: Record<string, Compile> = {
  accept: (data, path) => {
    flag(data, path);
    return { test: () => PASS, pass: 'accept', fail: 'accept', reads: undefined };
  },
  reject: (data, path) => {
    flag(data, path);
    return { test: () => FAIL, pass: 'reject', fail: 'reject', reads: undefined };
  },
  authenticated_user: (data, path) => {
    flag(data, path);
    return aboutUser('user-ok', 'user-unauthorized', (user) => principalString(user.id) !== '');
  },
  user: (data, path) => {
    const test = compileStringMatcher(data, path);
    return aboutUser('user-ok', 'user-unauthorized', (user) => test(principalString(user.id)));
  },
  email: (data, path) => {
    const test = compileStringMatcher(data, path);
    return aboutUser('email-ok', 'email-unauthorized', (user) => test(principalString(user.email)));
  },
  domain: (data, path) => {
    const test = compileStringMatcher(data, path);
    return aboutUser('domain-ok', 'domain-unauthorized', (user) => {
      const domain = emailDomain(principalString(user.email));
      return domain !== undefined && test(domain);
    });
  },
  groups: (data, path) => {
    const test = compileListMatcher(data, path, 'string');
    return aboutUser('groups-ok', 'groups-unauthorized', (user) =>
      test(Array.isArray(user.groups) ? user.groups : []),
    );
  },
  claim: (data, path, subPath) => {
    const test = compileListMatcher(data, path, 'scalar');
    return aboutUser('claim-ok', 'claim-unauthorized', (user) =>
      test(claimValues(user.claims, subPath)),
    );
  },
  http_method: (data, path) =>
    onString(
      'http-method-ok',
      'http-method-unauthorized',
      'method',
      (ctx) => ctx.method,
      compileStringMatcher(data, path),
    ),
  http_path: (data, path) =>
    onString(
      'http-path-ok',
      'http-path-unauthorized',
      'path',
      (ctx) => ctx.path,
      compileStringMatcher(data, path),
    ),
  source_ip: sourceIp,
  date: (data, path) => timeCriterion('date-ok', 'date-unauthorized', compileDate(data, path)),
  day_of_week: (data, path) =>
    timeCriterion('day-of-week-ok', 'day-of-week-unauthorized', compileDayOfWeek(data, path)),
  time_of_day: (data, path) =>
    timeCriterion('time-of-day-ok', 'time-of-day-unauthorized', compileTimeOfDay(data, path)),
  pomerium_service_account: serviceAccount,
};

/**
 * The criteria the application evaluates.
 *
 * @example
 * ```ts
 * POLICY_CRITERIA.includes('source_ip'); // true
 * ```
 */
export const POLICY_CRITERIA: readonly string[] = Object.freeze(Object.keys(CRITERIA));

/**
 * Criteria only Pomerium's proxy can judge: the application never sees the device, the client
 * certificate, the route table, the MCP call or the SSH session. `ssh_*` stands for every
 * criterion of that prefix.
 *
 * @example
 * ```ts
 * PROXY_ONLY_CRITERIA.includes('device'); // true: compilePolicy refuses it
 * ```
 */
export const PROXY_ONLY_CRITERIA: readonly string[] = Object.freeze([
  'device',
  'client_certificate',
  'invalid_client_certificate',
  'pomerium_routes',
  'cors_preflight',
  'mcp_tool',
  'ssh_*',
]);

function isProxyOnly(name: string): boolean {
  return name.startsWith('ssh_') || PROXY_ONLY_CRITERIA.includes(name);
}

/**
 * Compiles one criterion (`{ key: data }`) found at `path`. The key is a name with an optional
 * sub-path after the first `/` (`claim/department`); only `claim` takes one, and needs it.
 */
export function compileCriterion(key: string, data: unknown, path: string): CriterionRule {
  const slash = key.indexOf('/');
  const name = slash === -1 ? key : key.slice(0, slash);
  const subPath = slash === -1 ? '' : key.slice(slash + 1);
  const compile = Object.hasOwn(CRITERIA, name) ? CRITERIA[name] : undefined;
  if (compile === undefined) {
    if (isProxyOnly(name))
      policyError(
        path,
        `criterion "${name}" can only be judged by Pomerium's proxy (the application does not see ` +
          `what it tests): keep it in the route's policy in Pomerium`,
      );
    if (name === 'record')
      policyError(
        path,
        'criterion "record" (Pomerium Enterprise external data) is not evaluated in the application',
      );
    const suggestion = closestName(name, POLICY_CRITERIA);
    policyError(
      path,
      `unknown criterion "${name}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; ` +
        `known: ${POLICY_CRITERIA.join(', ')}`,
    );
  }
  if (name === 'claim') {
    if (subPath === '') policyError(path, "claim needs the claim's name: claim/<name>");
  } else if (slash !== -1) policyError(path, `criterion "${name}" takes no /sub-path`);
  return compile(data, path, subPath);
}

/** The key and data of a criterion: an object with exactly one key. */
export function criterionEntry(value: unknown, path: string): [string, unknown] {
  if (!isPlainObject(value))
    return policyError(
      path,
      `must be a criterion (an object with one key, such as { user: alice }), got ${describe(value)}`,
    );
  const keys = Object.keys(value);
  if (keys.length !== 1)
    return policyError(
      path,
      `a criterion has exactly one key, got ${keys.length === 0 ? 'none' : keys.join(', ')} (write one list item per criterion)`,
    );
  return [keys[0]!, value[keys[0]!]];
}
