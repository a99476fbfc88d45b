// JWT times are whole seconds (RFC 7519 NumericDate); tests pass Dates or seconds.

/** Seconds since the epoch for a Date, a number of seconds, or now. */
export function toSeconds(value: Date | number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (value instanceof Date) return Math.floor(value.getTime() / 1000);
  return Math.floor(value);
}

/** The current time in whole seconds. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
