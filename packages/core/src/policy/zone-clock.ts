/**
 * Local time in an IANA time zone, from `Intl` alone (no date library), cheap enough to ask on
 * every request: the zone's offset is computed with `Intl.DateTimeFormat` once per quarter of an
 * hour and reused within it.
 */

const QUARTER_HOUR = 15 * 60 * 1000;
const DAY = 24 * 60 * 60 * 1000;
// The range of instants a JavaScript Date can hold.
const MAX_TIME = 8.64e15;

/** The offset of one zone from UTC at any instant. */
export class ZoneClock {
  readonly zone: string;
  readonly #format: Intl.DateTimeFormat;
  #bucket = Number.NaN;
  #offset = 0;

  /** Throws a `RangeError` when `Intl` does not know the zone. */
  constructor(zone: string) {
    this.#format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    this.zone = this.#format.resolvedOptions().timeZone;
  }

  /**
   * Milliseconds to add to `time` (ms since the epoch) to read the zone's wall clock as if it
   * were UTC. `NaN` when `time` is not a time a Date can hold.
   */
  offsetAt(time: number): number {
    if (!(Math.abs(time) <= MAX_TIME)) return Number.NaN;
    const bucket = Math.floor(time / QUARTER_HOUR);
    if (bucket === this.#bucket) return this.#offset;
    // Zones change offset on a quarter hour (UTC) today; when the offset is the same at both
    // ends of the quarter it holds all through it. Historic offsets (local mean time) change at
    // odd instants: such a quarter is never cached.
    const start = bucket * QUARTER_HOUR;
    const first = this.#compute(start);
    const last = this.#compute(Math.min(start + QUARTER_HOUR - 1, MAX_TIME));
    if (first === last) {
      this.#bucket = bucket;
      this.#offset = first;
      return first;
    }
    return this.#compute(time);
  }

  #compute(time: number): number {
    const whole = Math.floor(time / 1000) * 1000;
    let year = 0;
    let month = 1;
    let day = 1;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let bc = false;
    for (const part of this.#format.formatToParts(whole)) {
      switch (part.type) {
        case 'year':
          year = Number(part.value);
          break;
        case 'month':
          month = Number(part.value);
          break;
        case 'day':
          day = Number(part.value);
          break;
        case 'hour':
          hour = Number(part.value);
          break;
        case 'minute':
          minute = Number(part.value);
          break;
        case 'second':
          second = Number(part.value);
          break;
        case 'era':
          bc = part.value.startsWith('B');
          break;
      }
    }
    // Date.UTC reads years 0 to 99 as 1900 to 1999; setUTCFullYear does not.
    const local = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
    local.setUTCFullYear(bc ? 1 - year : year);
    return local.getTime() - whole;
  }
}

const clocks = new Map<string, ZoneClock>();

/**
 * The clock of `zone`, shared by every criterion that names it. Throws a `RangeError` for a zone
 * `Intl` does not know.
 */
export function zoneClock(zone: string): ZoneClock {
  let clock = clocks.get(zone);
  if (clock === undefined) {
    clock = new ZoneClock(zone);
    clocks.set(zone, clock);
  }
  return clock;
}

/** Milliseconds since local midnight, for a local time read as UTC (`time + offset`). */
export function timeOfDay(localTime: number): number {
  return ((localTime % DAY) + DAY) % DAY;
}

/** Day of the week (0 = Sunday), for a local time read as UTC. */
export function dayOfWeek(localTime: number): number {
  // 1970-01-01 was a Thursday.
  return (((Math.floor(localTime / DAY) + 4) % 7) + 7) % 7;
}

/**
 * The instant at which the zone's wall clock reads `local` (a wall-clock time written as ms since
 * the epoch as if it were UTC). When the clock reads it twice (set back), the earlier instant;
 * when never (a gap, clocks put forward), the instant the clock would read it with the offset
 * from before the gap, which is just after the gap.
 */
export function instantOfLocal(clock: ZoneClock, local: number): number {
  const before = clock.offsetAt(local - DAY);
  const candidates = [
    before,
    clock.offsetAt(local - clock.offsetAt(local)),
    clock.offsetAt(local + DAY),
  ];
  let best = Number.NaN;
  for (const offset of candidates) {
    const instant = local - offset;
    if (clock.offsetAt(instant) === offset && !(instant >= best)) best = instant;
  }
  return Number.isNaN(best) ? local - before : best;
}
