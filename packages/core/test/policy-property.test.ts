// A property: for random documents built from the grammar the application supports and random
// requests, evaluate() never throws and decides exactly what a straightforward reference
// evaluator decides. The reference below follows Pomerium's Rego (rules.go: merge_with_and,
// merge_with_or, invert_criterion_result) literally, flattens claims as Go's
// identity.Claims.Flatten does, reads the clock with a fresh Intl formatter each time, and knows
// which address lies in which range from a table written by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { stringify } from 'yaml';
import {
  compilePolicy,
  type PolicyDocument,
  type PolicyInput,
  type Principal,
} from '@pomerium-auth/core';

// ---------------------------------------------------------------------------------------------
// Pools the generators draw from, chosen so that every criterion both holds and fails often.

const IDS = ['alice', 'bob', '', 'svc-user'];
const EMAILS = ['alice@corp.example', 'bob@corp.example', 'x@y@z', 'noat', 'ALICE@corp.example'];
const GROUPS = ['staff', 'finance', 'Finance', 'admins'];
const ACCOUNTS = ['sa-1', 'sa-2'];
const STRINGS = [
  ...IDS,
  ...EMAILS,
  'corp.example',
  'y',
  'alice',
  'a',
  '@corp',
  'GET',
  'POST',
  '/',
  '/finance/',
  '/admin',
  '/public/',
  'sa-1',
  'sa-',
];
const METHODS = ['GET', 'HEAD', 'POST', 'DELETE', 'get'];
const PATHS = [
  '/public/x',
  '/finance/../admin/x',
  '/',
  '/finance/a',
  '/public/../admin',
  '/%61dmin',
  '/admin',
  '/public/x?y=1',
  '//admin',
  '/public/%zz',
  '/public/a%20b',
  '/public/..',
  '/admin/../public/x',
];
const IPS = ['10.0.0.7', '::ffff:10.0.0.7', '192.168.1.1', '2001:db8::1', '::1', 'garbage'];
// Which of IPS each range holds, worked out by hand from Go's rules (IPv4-mapped addresses are
// IPv4; IPv6 ranges hold no IPv4 address).
const RANGES: Record<string, string[]> = {
  '10.0.0.0/8': ['10.0.0.7', '::ffff:10.0.0.7'],
  '10.0.0.7': ['10.0.0.7', '::ffff:10.0.0.7'],
  '::ffff:10.0.0.0/104': ['10.0.0.7', '::ffff:10.0.0.7'],
  '0.0.0.0/0': ['10.0.0.7', '::ffff:10.0.0.7', '192.168.1.1'],
  '::/0': ['2001:db8::1', '::1'],
  '2001:db8::/32': ['2001:db8::1'],
  '192.168.0.0/16': ['192.168.1.1'],
  '::1': ['::1'],
};
const CLAIM_NAMES = [
  'dept',
  'roles',
  'level',
  'address.country',
  'address',
  'missing',
  'example.com/key',
  'flag',
];
const CLAIM_VALUES: (string | number | boolean)[] = [
  'sales',
  'ops',
  'reader',
  'writer',
  3,
  '3',
  true,
  'true',
  'NL',
  'value',
];
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata'];
const TIMES = ['9:00', '17:00', '22:00', '6:00', '12 PM', '3:30PM', '00:00:01'];
const DAYS = ['mon-fri', 'sat,sun', 'fri-mon', '*', 'wed', 'Tuesday-thu'];
// ISO values and the instants they stand for, in UTC unless a zone is named.
const DATES: { text: string; timezone?: string; instant: number }[] = [
  { text: '2026-03-04T10:30:00Z', instant: Date.UTC(2026, 2, 4, 10, 30) },
  { text: '2020-01-01', instant: Date.UTC(2020, 0, 1) },
  { text: '2030-06-01T12:00:00+02:00', instant: Date.UTC(2030, 5, 1, 10) },
  { text: '2026-03-04T10:30:00', timezone: 'Europe/Berlin', instant: Date.UTC(2026, 2, 4, 9, 30) },
  { text: '2025-07-01', timezone: 'America/New_York', instant: Date.UTC(2025, 6, 1, 4) },
];
const START = Date.UTC(2019, 0, 1);
const END = Date.UTC(2032, 0, 1);

// ---------------------------------------------------------------------------------------------
// Generators

const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);

const stringMatcher = fc.oneof(
  pick(STRINGS),
  fc
    .uniqueArray(pick(['is', 'not', 'starts_with', 'ends_with', 'contains', 'in', 'not_in']), {
      minLength: 1,
      maxLength: 2,
    })
    .chain((keys) =>
      fc.tuple(
        ...keys.map((key) =>
          (key === 'in' || key === 'not_in' ? fc.subarray(STRINGS) : pick(STRINGS)).map(
            (v) => [key, v] as const,
          ),
        ),
      ),
    )
    .map((entries) => Object.fromEntries(entries)),
);

const listMatcher = <T>(values: fc.Arbitrary<T>) =>
  fc.oneof(
    values,
    fc
      .uniqueArray(pick(['has', 'is', 'exclude']), { minLength: 1, maxLength: 2 })
      .chain((keys) => fc.tuple(...keys.map((key) => values.map((v) => [key, v] as const))))
      .map((entries) => Object.fromEntries(entries)),
  );

const timeOfDay = fc
  .record({
    timezone: pick(ZONES),
    after: fc.option(pick(TIMES), { nil: undefined }),
    before: fc.option(pick(TIMES), { nil: undefined }),
  })
  .filter((m) => m.after !== undefined || m.before !== undefined)
  .map((m) => Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined)));

// A value with its own zone (Z, +02:00) means the same under any timezone; a zone-less one only
// what it means in its own.
const explicitZone = (text: string) => /(Z|[+-]\d\d:\d\d)$/.test(text);
const dateMatcher = fc
  .option(pick(ZONES.filter((z) => DATES.some((d) => d.timezone === z))), { nil: undefined })
  .chain((timezone) => {
    const fitting = DATES.filter((d) => explicitZone(d.text) || d.timezone === timezone);
    return fc
      .record({
        after: fc.option(pick(fitting), { nil: undefined }),
        before: fc.option(pick(fitting), { nil: undefined }),
      })
      .filter((m) => m.after !== undefined || m.before !== undefined)
      .map((m) => {
        const out: Record<string, string> = {};
        if (m.after) out.after = m.after.text;
        if (m.before) out.before = m.before.text;
        if (timezone !== undefined) out.timezone = timezone;
        return out;
      });
  });

const criterion: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  pick(['accept', 'reject', 'authenticated_user']).map((name) => ({ [name]: true })),
  // Paths weigh more: the two forms of a path disagree only when a path criterion is decisive.
  stringMatcher.map((m) => ({ http_path: m })),
  fc
    .record({ starts_with: pick(['/public/', '/admin', '/finance/']) })
    .map((m) => ({ http_path: m })),
  fc
    .tuple(pick(['user', 'email', 'domain', 'http_method', 'http_path']), stringMatcher)
    .map(([name, m]) => ({ [name]: m })),
  listMatcher(pick(GROUPS)).map((m) => ({ groups: m })),
  fc
    .tuple(pick(CLAIM_NAMES), listMatcher(pick(CLAIM_VALUES)))
    .map(([name, m]) => ({ [`claim/${name}`]: m })),
  fc
    .oneof(pick(Object.keys(RANGES)), fc.subarray(Object.keys(RANGES)))
    .map((r) => ({ source_ip: r })),
  fc
    .oneof(
      fc.boolean(),
      pick(ACCOUNTS),
      fc.subarray(ACCOUNTS),
      fc.constant({ starts_with: 'sa-' }),
      fc.constant({ not: 'sa-1' }),
    )
    .map((m) => ({ pomerium_service_account: m })),
  fc
    .oneof(pick(DAYS), fc.record({ days: pick(DAYS), timezone: pick(ZONES) }))
    .map((m) => ({ day_of_week: m })),
  timeOfDay.map((m) => ({ time_of_day: m })),
  dateMatcher.map((m) => ({ date: m })),
);

// An action holds one or two operators (an empty list now and then); deny actions are rarer
// than allow ones, or most documents would deny and the allow side would go untested.
const action = fc
  .uniqueArray(pick(['and', 'or', 'not', 'nor']), { minLength: 1, maxLength: 2 })
  .chain((operators) =>
    fc.tuple(
      ...operators.map((op) =>
        fc.array(criterion, { maxLength: 3 }).map((list) => [op, list] as const),
      ),
    ),
  )
  .map((entries) => Object.fromEntries(entries));

const rule = fc
  .record({
    allow: fc.option(action, { nil: undefined, freq: 6 }),
    deny: fc.option(action, { nil: undefined, freq: 2 }),
  })
  .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)));

const documentArb: fc.Arbitrary<unknown> = fc.oneof(rule, fc.array(rule, { maxLength: 3 }));

const claimsArb = fc.record(
  {
    dept: fc.oneof(pick(['sales', 'ops']), fc.constant(3)),
    roles: fc.subarray(['reader', 'writer', 'sales']),
    level: fc.oneof(fc.constant(3), fc.constant('3')),
    flag: fc.oneof(fc.boolean(), fc.constant('true'), fc.constant(null)),
    address: fc.oneof(
      fc.constant({ country: 'NL' }),
      fc.constant({ country: ['NL', 'BE'] }),
      fc.constant('NL'),
    ),
    'address.country': fc.constant('ops'),
    'example.com/key': fc.constant('value'),
  },
  { requiredKeys: [] },
);

const principalArb: fc.Arbitrary<Principal> = fc
  .record({
    id: pick(IDS),
    email: fc.option(pick(EMAILS), { nil: undefined }),
    groups: fc.subarray(GROUPS),
    kind: pick(['user', 'service-account'] as const),
    serviceAccountId: fc.option(pick(ACCOUNTS), { nil: undefined }),
    claims: claimsArb,
  })
  .map((p) => {
    const principal: Principal = { id: p.id, groups: p.groups, kind: p.kind, claims: p.claims };
    if (p.email !== undefined) principal.email = p.email;
    if (p.serviceAccountId !== undefined) principal.serviceAccountId = p.serviceAccountId;
    return principal;
  });

const inputArb: fc.Arbitrary<PolicyInput> = fc
  .record({
    user: fc.option(principalArb, { nil: undefined, freq: 4 }),
    method: pick(METHODS),
    path: pick(PATHS),
    ip: fc.option(pick(IPS), { nil: undefined, freq: 6 }),
    now: fc.oneof(
      { weight: 20, arbitrary: fc.integer({ min: START, max: END }) },
      { weight: 1, arbitrary: fc.constant(Number.NaN) },
    ),
  })
  .map((r) => {
    const request: PolicyInput = { method: r.method, path: r.path, now: r.now };
    if (r.user !== undefined) request.user = r.user;
    if (r.ip !== undefined) request.ip = r.ip;
    return request;
  });

// ---------------------------------------------------------------------------------------------
// The reference evaluator

type Result = [boolean, Set<string>];
interface Traced {
  path: string;
  result: Result;
  criteria: [boolean, string][];
}

function union(sets: Set<string>[]): Set<string> {
  return new Set(sets.flatMap((s) => [...s]));
}
function mergeWithAnd(results: Result[]): Result {
  const trues = results.filter((r) => r[0]);
  if (trues.length === results.length) return [true, union(trues.map((r) => r[1]))];
  return [false, union(results.filter((r) => !r[0]).map((r) => r[1]))];
}
function mergeWithOr(results: Result[]): Result {
  const trues = results.filter((r) => r[0]);
  if (trues.length > 0) return [true, union(trues.map((r) => r[1]))];
  return [false, union(results.filter((r) => !r[0]).map((r) => r[1]))];
}
const invert = (r: Result): Result => [!r[0], r[1]];

function flatten(claims: Record<string, unknown>): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  for (const [k, v] of Object.entries(claims)) {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      for (const [sk, sv] of flatten(v as Record<string, unknown>)) out.set(`${k}.${sk}`, sv);
    } else out.set(k, Array.isArray(v) ? v : [v]);
  }
  return out;
}

function matchString(value: string, data: unknown): boolean {
  if (typeof data === 'string') return value === data;
  return Object.entries(data as Record<string, unknown>).every(([op, operand]) => {
    switch (op) {
      case 'is':
        return value === operand;
      case 'not':
        return value !== operand;
      case 'starts_with':
        return value.startsWith(operand as string);
      case 'ends_with':
        return value.endsWith(operand as string);
      case 'contains':
        return value.includes(operand as string);
      case 'in':
        return (operand as string[]).includes(value);
      case 'not_in':
        return !(operand as string[]).includes(value);
      default:
        throw new Error(op);
    }
  });
}

function matchList(values: unknown[], data: unknown): boolean {
  const ops =
    typeof data === 'object' && data !== null ? Object.entries(data) : [['has', data] as const];
  return ops.every(([op, operand]) => {
    const has = values.some((v) => v === operand);
    if (op === 'has') return has;
    if (op === 'is') return values.length === 1 && has;
    return !has;
  });
}

// One formatter per zone (building one costs more than the whole evaluation); it is asked afresh
// for every instant, so no offset is ever reused.
const formatters = new Map<string, Intl.DateTimeFormat>();
function localParts(now: number, zone: string): { weekday: string; ms: number } {
  let format = formatters.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      weekday: 'short',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(now).map((p) => [p.type, p.value]));
  const ms =
    ((Number(parts.hour) * 60 + Number(parts.minute)) * 60 + Number(parts.second)) * 1000 +
    (((now % 1000) + 1000) % 1000);
  return { weekday: parts.weekday!.toLowerCase(), ms };
}

const WEEK = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
function daysOf(text: string): Set<string> {
  if (text === '*') return new Set(WEEK);
  const days = new Set<string>();
  for (const item of text.split(',')) {
    const [a, b = a] = item.split('-').map((d) => WEEK.indexOf(d.trim().toLowerCase().slice(0, 3)));
    for (let d = a!; ; d = (d + 1) % 7) {
      days.add(WEEK[d]!);
      if (d === b) break;
    }
  }
  return days;
}

function clock(text: string): number {
  const m = /^(\d+)(?::(\d+))?(?::(\d+))? ?(AM|PM)?$/i.exec(text)!;
  let h = Number(m[1]);
  if (m[4]?.toUpperCase() === 'PM' && h < 12) h += 12;
  if (m[4]?.toUpperCase() === 'AM' && h === 12) h = 0;
  return ((h * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
}

function criterionResult(c: Record<string, unknown>, req: PolicyInput, path: string): Result {
  const [key, data] = Object.entries(c)[0]!;
  const [name, sub] = key.includes('/')
    ? [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)]
    : [key, ''];
  const u = req.user;
  const session = (pass: string, fail: string, holds: (p: Principal) => boolean): Result =>
    u === undefined
      ? [false, new Set(['user-unauthenticated'])]
      : holds(u)
        ? [true, new Set([pass])]
        : [false, new Set([fail])];
  const plain = (pass: string, fail: string, holds: boolean): Result => [
    holds,
    new Set([holds ? pass : fail]),
  ];
  const now = req.now!;
  const validNow = !Number.isNaN(now);
  switch (name) {
    case 'accept':
      return [true, new Set(['accept'])];
    case 'reject':
      return [false, new Set(['reject'])];
    case 'authenticated_user':
      return session('user-ok', 'user-unauthorized', (p) => p.id !== '');
    case 'user':
      return session('user-ok', 'user-unauthorized', (p) => matchString(p.id, data));
    case 'email':
      return session('email-ok', 'email-unauthorized', (p) => matchString(p.email ?? '', data));
    case 'domain':
      return session('domain-ok', 'domain-unauthorized', (p) => {
        const parts = (p.email ?? '').split('@');
        return parts.length >= 2 && matchString(parts[1]!, data);
      });
    case 'groups':
      return session('groups-ok', 'groups-unauthorized', (p) => matchList(p.groups, data));
    case 'claim':
      return session('claim-ok', 'claim-unauthorized', (p) =>
        matchList(flatten(p.claims).get(sub) ?? [], data),
      );
    case 'http_method':
      return plain('http-method-ok', 'http-method-unauthorized', matchString(req.method, data));
    case 'http_path':
      return plain('http-path-ok', 'http-path-unauthorized', matchString(path, data));
    case 'source_ip': {
      const ranges = Array.isArray(data) ? (data as string[]) : [data as string];
      return plain(
        'source-ip-ok',
        'source-ip-unauthorized',
        ranges.some((r) => req.ip !== undefined && RANGES[r]!.includes(req.ip)),
      );
    }
    case 'pomerium_service_account':
      return session('service-account-ok', 'service-account-unauthorized', (p) => {
        if (typeof data === 'boolean') return (p.kind === 'service-account') === data;
        if (p.kind !== 'service-account') return false;
        const id = p.serviceAccountId ?? '';
        return Array.isArray(data) ? data.includes(id) : matchString(id, data);
      });
    case 'day_of_week': {
      const m =
        typeof data === 'string'
          ? { days: data, timezone: 'UTC' }
          : (data as { days: string; timezone: string });
      return plain(
        'day-of-week-ok',
        'day-of-week-unauthorized',
        validNow && daysOf(m.days).has(localParts(now, m.timezone).weekday),
      );
    }
    case 'time_of_day': {
      const m = data as { timezone: string; after?: string; before?: string };
      if (!validNow) return plain('time-of-day-ok', 'time-of-day-unauthorized', false);
      const t = localParts(now, m.timezone).ms;
      const after = m.after === undefined ? undefined : clock(m.after);
      const before = m.before === undefined ? undefined : clock(m.before);
      let holds: boolean;
      if (after !== undefined && before !== undefined)
        holds = after <= before ? t > after && t < before : t > after || t < before;
      else holds = after !== undefined ? t > after : t < before!;
      return plain('time-of-day-ok', 'time-of-day-unauthorized', holds);
    }
    case 'date': {
      const m = data as { after?: string; before?: string; timezone?: string };
      const instant = (text: string) =>
        DATES.find((d) => d.text === text && (explicitZone(text) || d.timezone === m.timezone))!
          .instant;
      const holds =
        validNow &&
        (m.after === undefined || now > instant(m.after)) &&
        (m.before === undefined || now < instant(m.before));
      return plain('date-ok', 'date-unauthorized', holds);
    }
    default:
      throw new Error(`no reference for ${name}`);
  }
}

/** RFC 3986 dot-segment removal and slash merging on a decoded path, written plainly. */
function referenceCanonical(path: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    decoded = path.replace(/%[0-9a-fA-F]{2}/g, (h) =>
      String.fromCharCode(parseInt(h.slice(1), 16)),
    );
  }
  const segments = decoded.split('/').filter((s, i, all) => s !== '' || i === all.length - 1);
  const out: string[] = [];
  segments.forEach((s, i) => {
    const last = i === segments.length - 1;
    if (s === '..') out.pop();
    if (s === '.' || s === '..') {
      if (last) out.push('');
    } else out.push(s);
  });
  return `/${out.join('/')}`;
}

interface Expected {
  allowed: boolean;
  reasons: string[];
  decidedBy: { path: string; matched: boolean; criteria: [boolean, string][] }[];
}

/** The decision; `formsDisagree` says the path as sent and its canonical form were decided apart. */
function reference(doc: unknown, req: PolicyInput): { expected: Expected; formsDisagree: boolean } {
  const raw = req.path.split('?')[0]!;
  const canonical = /%|\/\/|\/\.\.?(\/|$)/.test(raw) ? referenceCanonical(raw) : raw;
  const first = referenceDecide(doc, req, canonical);
  if (canonical === raw) return { expected: first, formsDisagree: false };
  const second = referenceDecide(doc, req, raw);
  const formsDisagree = first.allowed !== second.allowed;
  return { expected: !first.allowed || second.allowed ? first : second, formsDisagree };
}

function referenceDecide(doc: unknown, req: PolicyInput, path: string): Expected {
  const rules = (Array.isArray(doc) ? doc : [doc]) as Record<
    string,
    Record<string, Record<string, unknown>[]>
  >[];
  const sides: Record<'allow' | 'deny', Traced[]> = { allow: [], deny: [] };
  rules.forEach((rule, r) => {
    for (const actionName of ['allow', 'deny'] as const) {
      const body = rule[actionName];
      if (body === undefined) continue;
      for (const op of ['and', 'or', 'not', 'nor']) {
        const criteria = body[op];
        if (criteria === undefined || criteria.length === 0) continue;
        const results = criteria.map((c) => criterionResult(c, req, path));
        const result =
          op === 'and'
            ? mergeWithAnd(results)
            : op === 'or'
              ? mergeWithOr(results)
              : op === 'not'
                ? mergeWithAnd(results.map(invert))
                : mergeWithOr(results.map(invert));
        const base = Array.isArray(doc) ? `policy[${r}]` : 'policy';
        sides[actionName].push({
          path: `${base}.${actionName}.${op}`,
          result,
          criteria: results.map((x) => [x[0], [...x[1]][0]!]),
        });
      }
    }
  });
  const side = (traced: Traced[]): Result =>
    traced.length === 0 ? [false, new Set()] : mergeWithOr(traced.map((t) => t.result));
  const trace = (traced: Traced[], onlyMatched: boolean) =>
    traced
      .filter((t) => !onlyMatched || t.result[0])
      .map((t) => ({ path: t.path, matched: t.result[0], criteria: t.criteria }));
  const deny = side(sides.deny);
  if (deny[0])
    return { allowed: false, reasons: [...deny[1]].sort(), decidedBy: trace(sides.deny, true) };
  const allow = side(sides.allow);
  return {
    allowed: allow[0],
    reasons: [...allow[1]].sort(),
    decidedBy: trace(sides.allow, allow[0]),
  };
}

// ---------------------------------------------------------------------------------------------

test('evaluate never throws and decides as the reference evaluator does', (t) => {
  const seen = {
    allowed: 0,
    deniedByDeny: 0,
    deniedForWantOfAllow: 0,
    unauthenticated: 0,
    pathFormsDisagree: 0,
    asText: 0,
  };
  fc.assert(
    // Several requests per compiled policy: a policy keeps the decisions it has made, and each
    // must still be the one its own request's outcomes make.
    fc.property(
      documentArb,
      fc.array(inputArb, { minLength: 1, maxLength: 6 }),
      fc.nat(3),
      (doc, requests, n) => {
        // One document in four goes through YAML text.
        const asText = n === 0;
        const policy = compilePolicy((asText ? stringify(doc) : doc) as PolicyDocument);
        for (const req of requests) {
          const decision = policy.evaluate(req);
          const { expected, formsDisagree } = reference(doc, req);
          const got = {
            allowed: decision.allowed,
            reasons: [...decision.reasons],
            decidedBy: decision.decidedBy.map((o) => ({
              path: o.path,
              matched: o.matched,
              criteria: o.criteria.map((c) => [c.matched, c.reason]),
            })),
          };
          assert.deepEqual(got, expected);
          if (decision.allowed) seen.allowed++;
          else if (decision.decidedBy[0]?.action === 'deny') seen.deniedByDeny++;
          else if (decision.decidedBy.length > 0) seen.deniedForWantOfAllow++;
          if (decision.reasons.includes('user-unauthenticated')) seen.unauthenticated++;
          if (formsDisagree) seen.pathFormsDisagree++;
          if (asText) seen.asText++;
        }
      },
    ),
    { numRuns: 1000 },
  );
  t.diagnostic(JSON.stringify(seen));
  // A property whose branches never ran proves nothing: each kind of decision came up often
  // (the two forms of a path disagree more often in the next property).
  for (const [branch, count] of Object.entries(seen))
    assert.ok(count > (branch === 'pathFormsDisagree' ? 5 : 30), `${branch} ran ${count} times`);
});

test('paths: the path as sent and its canonical form are both judged, as the reference does', (t) => {
  const pathCriterion = fc.oneof(
    fc
      .record({ starts_with: pick(['/public/', '/admin', '/finance/']) })
      .map((m) => ({ http_path: m })),
    fc
      .record({ is: pick(['/admin', '/public/x', '/', '/admin/x']) })
      .map((m) => ({ http_path: m })),
    pick([{ accept: true }, { reject: true }]),
  );
  const pathAction = fc
    .tuple(
      pick(['and', 'or', 'not', 'nor']),
      fc.array(pathCriterion, { minLength: 1, maxLength: 2 }),
    )
    .map(([op, list]) => ({ [op]: list }));
  const pathDocument = fc.array(
    fc
      .record({ allow: pathAction, deny: fc.option(pathAction, { nil: undefined, freq: 2 }) })
      .map((r) => (r.deny === undefined ? { allow: r.allow } : r)),
    { minLength: 1, maxLength: 2 },
  );
  let disagreements = 0;
  fc.assert(
    fc.property(pathDocument, pick(PATHS), (doc, path) => {
      const req: PolicyInput = { method: 'GET', path };
      const decision = compilePolicy(doc).evaluate(req);
      const { expected, formsDisagree } = reference(doc, req);
      assert.deepEqual(
        { allowed: decision.allowed, reasons: [...decision.reasons] },
        { allowed: expected.allowed, reasons: expected.reasons },
      );
      if (formsDisagree) disagreements++;
    }),
    { numRuns: 1000 },
  );
  t.diagnostic(`the two forms disagreed ${disagreements} times`);
  assert.ok(disagreements > 50, `the two forms disagreed ${disagreements} times`);
});

test('criteria compiled on their own decide as the reference does (deeper per criterion)', (t) => {
  let held = 0;
  let failed = 0;
  fc.assert(
    fc.property(criterion, inputArb, (c, req) => {
      const doc = { allow: { or: [c] } };
      const decision = compilePolicy(doc as PolicyDocument).evaluate(req);
      const { expected } = reference(doc, req);
      assert.deepEqual(
        { allowed: decision.allowed, reasons: [...decision.reasons] },
        { allowed: expected.allowed, reasons: expected.reasons },
      );
      if (decision.allowed) held++;
      else failed++;
    }),
    { numRuns: 3000 },
  );
  t.diagnostic(`held ${held}, failed ${failed}`);
  assert.ok(held > 300 && failed > 300, `held ${held}, failed ${failed}`);
});

test('addresses: every address fast-check writes is read, a range of that one address holds it, and its IPv4-mapped form is the same address', () => {
  fc.assert(
    fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), fc.ipV4(), (ip, v4) => {
      const holds = (range: string, address: string) =>
        compilePolicy({ allow: { or: [{ source_ip: range }] } }).evaluate({
          method: 'GET',
          path: '/',
          ip: address,
        }).allowed;
      assert.ok(holds(ip, ip), ip);
      assert.ok(holds(`::ffff:${v4}`, v4), v4);
      assert.ok(holds(v4, `::ffff:${v4}`), v4);
      // The WHATWG URL parser writes an IPv4-mapped address as [::ffff:hhhh:hhhh].
      const mapped =
        ip.includes(':') &&
        /^\[::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}\]$/.test(new URL(`http://[${ip}]/`).hostname);
      assert.equal(holds('0.0.0.0/0', ip), !ip.includes(':') || mapped, ip);
      assert.equal(holds('::/0', ip), ip.includes(':') && !mapped, ip);
    }),
    { numRuns: 2000 },
  );
});
