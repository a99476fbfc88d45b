/**
 * The criteria on the request's time: `date`, `day_of_week` and `time_of_day`. Pomerium offers
 * them in its Enterprise console only and documents their syntax (its PPL reference) but not
 * their code; the README's "Policies" section lists the choices made where the documentation
 * is silent.
 */
import { closestName, isPlainObject, policyError, stringAt, wrongType } from './document-values.js';
import { dayOfWeek, instantOfLocal, timeOfDay, zoneClock, type ZoneClock } from './zone-clock.js';

/** A compiled time criterion: true when the instant (ms since the epoch) satisfies it. */
export type TimeTest = (now: number) => boolean;

/** The wall clock of a zone: ms to add to an instant to read it as UTC. UTC needs no `Intl`. */
type Offset = (now: number) => number;

function zoneOffset(value: unknown, path: string): { offset: Offset; clock?: ZoneClock } {
  if (value === undefined) return { offset: () => 0 };
  const zone = stringAt(value, path, 'an IANA time zone name such as Europe/Berlin, or UTC');
  let clock: ZoneClock;
  try {
    clock = zoneClock(zone);
  } catch {
    return policyError(
      path,
      `unknown time zone ${JSON.stringify(zone)} (use an IANA name such as America/Phoenix)`,
    );
  }
  if (clock.zone === 'UTC') return { offset: () => 0 };
  return { offset: (now) => clock.offsetAt(now), clock };
}

function checkKeys(data: Record<string, unknown>, known: readonly string[], path: string): void {
  for (const key of Object.keys(data)) {
    if (known.includes(key)) continue;
    const suggestion = closestName(key, known);
    policyError(
      `${path}.${key}`,
      `unknown key "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; known: ${known.join(', ')}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// date

const DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * `date: { after?, before?, timezone? }`: the request is strictly after `after` and strictly
 * before `before`. Values are ISO 8601 dates (`2026-01-02`, midnight) or date-times
 * (`2026-01-02T16:20:00`, `...Z`, `...+02:00`); a value without a zone is read in `timezone`
 * (default UTC). JavaScript `Date` objects are taken as they are.
 */
export function compileDate(data: unknown, path: string): TimeTest {
  if (!isPlainObject(data))
    return wrongType(data, path, 'an object with after and/or before (ISO 8601 dates)');
  checkKeys(data, ['after', 'before', 'timezone'], path);
  if (data.after === undefined && data.before === undefined)
    return policyError(path, 'needs after and/or before');
  const { clock } = zoneOffset(data.timezone, `${path}.timezone`);
  const after = data.after === undefined ? -Infinity : instant(data.after, `${path}.after`, clock);
  const before =
    data.before === undefined ? Infinity : instant(data.before, `${path}.before`, clock);
  return (now) => now > after && now < before;
}

function instant(value: unknown, path: string, clock: ZoneClock | undefined): number {
  if (value instanceof Date) {
    const time = value.getTime();
    if (Number.isNaN(time)) return policyError(path, 'is an invalid Date');
    return time;
  }
  const text = stringAt(value, path, 'an ISO 8601 date or date-time');
  const m = DATE.exec(text);
  const invalid = () =>
    policyError(
      path,
      `${JSON.stringify(text)} is not an ISO 8601 date (2026-01-02) or date-time (2026-01-02T16:20:00Z)`,
    );
  if (m === null) return invalid();
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return invalid();
  if (hour > 23 || minute > 59 || second > 59) return invalid();
  const local = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
  local.setUTCFullYear(year);
  const wall = local.getTime() + Number(`0.${fraction || '0'}`) * 1000;
  if (zone === undefined) return clock === undefined ? wall : instantOfLocal(clock, wall);
  if (zone === 'Z' || zone === 'z') return wall;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offsetHours = Number(digits.slice(0, 2));
  const offsetMinutes = Number(digits.slice(2) || '0');
  if (offsetHours > 23 || offsetMinutes > 59) return invalid();
  return wall - sign * (offsetHours * 60 + offsetMinutes) * 60_000;
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

// ---------------------------------------------------------------------------------------------
// day_of_week

const DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/**
 * `day_of_week: 'mon-fri'`: `*`, days separated by `,`, ranges with `-` (a range may wrap:
 * `fri-mon` is Friday to Monday), English names or their first three letters, any case. In UTC,
 * or `{ days, timezone }`.
 */
export function compileDayOfWeek(data: unknown, path: string): TimeTest {
  let daysValue: unknown = data;
  let daysPath = path;
  let offset: Offset = () => 0;
  if (isPlainObject(data)) {
    checkKeys(data, ['days', 'timezone'], path);
    daysValue = data.days;
    daysPath = `${path}.days`;
    if (daysValue === undefined) return policyError(path, 'needs days (for example mon-fri)');
    offset = zoneOffset(data.timezone, `${path}.timezone`).offset;
  }
  const text = stringAt(daysValue, daysPath, 'days such as mon-fri, sat,sun or *');
  const mask = dayMask(text, daysPath);
  if (mask === 0x7f) return () => true;
  return (now) => ((mask >> dayOfWeek(now + offset(now))) & 1) === 1;
}

function dayMask(text: string, path: string): number {
  if (text.trim() === '*') return 0x7f;
  let mask = 0;
  for (const item of text.split(',')) {
    const ends = item.split('-').map((name) => dayNumber(name, path, text));
    if (ends.length > 2)
      policyError(path, `${JSON.stringify(item.trim())} is not a day or a range of days`);
    const first = ends[0]!;
    const last = ends[ends.length - 1]!;
    for (let day = first; ; day = (day + 1) % 7) {
      mask |= 1 << day;
      if (day === last) break;
    }
  }
  return mask;
}

function dayNumber(name: string, path: string, text: string): number {
  const word = name.trim().toLowerCase();
  const index = DAY_NAMES.findIndex(
    (day) => day === word || (word.length === 3 && day.startsWith(word)),
  );
  if (index === -1)
    return policyError(
      path,
      `${JSON.stringify(text)}: ${JSON.stringify(name.trim())} is not a day (write mon, tue, ... or monday, tuesday, ...)`,
    );
  return index;
}

// ---------------------------------------------------------------------------------------------
// time_of_day

const TIME_24 = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;
const TIME_12 = /^(\d{1,2})(?::(\d{2}))? ?([AaPp][Mm])$/;

/**
 * `time_of_day: { timezone, after?, before? }`: the time of day in `timezone` (required) is
 * strictly after `after` and strictly before `before`; when `after` is later than `before` the
 * window runs across midnight (`after: '22:00', before: '6:00'`).
 */
export function compileTimeOfDay(data: unknown, path: string): TimeTest {
  if (!isPlainObject(data))
    return wrongType(data, path, 'an object with timezone and after and/or before');
  checkKeys(data, ['timezone', 'after', 'before'], path);
  if (data.timezone === undefined)
    return policyError(path, 'needs a timezone (an IANA name such as Europe/Berlin, or UTC)');
  if (data.after === undefined && data.before === undefined)
    return policyError(path, 'needs after and/or before');
  const { offset } = zoneOffset(data.timezone, `${path}.timezone`);
  const after = data.after === undefined ? undefined : clockTime(data.after, `${path}.after`);
  const before = data.before === undefined ? undefined : clockTime(data.before, `${path}.before`);
  if (before === undefined) return (now) => timeOfDay(now + offset(now)) > after!;
  if (after === undefined) return (now) => timeOfDay(now + offset(now)) < before;
  if (after <= before)
    return (now) => {
      const t = timeOfDay(now + offset(now));
      return t > after && t < before;
    };
  return (now) => {
    const t = timeOfDay(now + offset(now));
    return t > after || t < before;
  };
}

/** A time of day as ms since midnight, in the layouts Pomerium documents. */
function clockTime(value: unknown, path: string): number {
  const text = stringAt(value, path, 'a time such as 15:04, 15:04:05 or 3:04 PM');
  const invalid = (): never =>
    policyError(
      path,
      `${JSON.stringify(text)} is not a time (15:04, 15:04:05, 15:04:05.999, 3:04 PM, 3PM)`,
    );
  let m = TIME_24.exec(text);
  if (m !== null) {
    const [, h, mi, s = '0', fraction = ''] = m;
    const hour = Number(h);
    const minute = Number(mi);
    const second = Number(s);
    if (hour > 23 || minute > 59 || second > 59) return invalid();
    return ((hour * 60 + minute) * 60 + second) * 1000 + Number(`0.${fraction || '0'}`) * 1000;
  }
  m = TIME_12.exec(text);
  if (m !== null) {
    const [, h, mi = '0', meridiem] = m;
    let hour = Number(h);
    const minute = Number(mi);
    if (hour > 12 || minute > 59) return invalid();
    const pm = meridiem!.toLowerCase() === 'pm';
    if (pm && hour < 12) hour += 12;
    if (!pm && hour === 12) hour = 0;
    return (hour * 60 + minute) * 60 * 1000;
  }
  return invalid();
}
