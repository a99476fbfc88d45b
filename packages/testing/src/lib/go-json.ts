// Pomerium builds claim sets as Go maps, which encoding/json writes with sorted keys.

/** Drops `undefined` entries and sorts the keys, as Go's JSON encoding of a map does. */
export function sortedDefined(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(record).sort()) {
    if (record[name] !== undefined) out[name] = record[name];
  }
  return out;
}
