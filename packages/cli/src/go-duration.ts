const UNIT_SECONDS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  μs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

const DURATION = /^[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;
const PART = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;

/**
 * Parses a duration as Go's `time.ParseDuration` writes it (`1h0m0s`, `30m`, `90s`, `1.5h`,
 * `300ms`, `0`), as the historic `pomerium-cli -expiry` flag took it. Returns seconds; throws a
 * `RangeError` for anything else (a bare number other than 0 has no unit, as in Go).
 *
 * @example
 * ```ts
 * import { parseGoDuration } from '@pomerium-auth/cli';
 * parseGoDuration('1h0m0s'); // 3600
 * parseGoDuration('90s');    // 90
 * ```
 */
export function parseGoDuration(text: string): number {
  const value = text.trim();
  if (value === '0' || value === '+0' || value === '-0') return 0;
  if (!DURATION.test(value))
    throw new RangeError(`invalid duration ${JSON.stringify(text)} (examples: 1h0m0s, 30m, 90s)`);
  let seconds = 0;
  for (const [, amount, unit] of value.matchAll(PART))
    seconds += Number(amount) * UNIT_SECONDS[unit!]!;
  return value.startsWith('-') ? -seconds : seconds;
}
