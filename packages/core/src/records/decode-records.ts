import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { parseCsv } from './parse-csv.js';
import type { RawRecord } from './records-source.js';

/** The two payload formats of Pomerium's external data. */
export type RecordsFormat = 'json' | 'csv';

const gunzipAsync = promisify(gunzip);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** What is known about a JSON or CSV payload besides its bytes, to tell its format. */
export interface FormatHints {
  /** Set by the user: wins over everything else. */
  format?: RecordsFormat | undefined;
  /** A file path or URL path, for its extension (`.json`, `.csv`, either followed by `.gz`). */
  name?: string | undefined;
  /** The HTTP `Content-Type`, if any. */
  contentType?: string | null | undefined;
}

/**
 * Gunzips bytes that start with the gzip magic bytes (so `.gz` files and gzip sent without
 * `Content-Encoding` both work), stopping as soon as the output passes `maxOutput`; returns
 * other bytes as they are.
 *
 * @param maxBytes The source's `maxBytes`, for the message (`maxOutput` may be what remains of it).
 * @throws {Error} For damaged gzip data, or output larger than `maxOutput`.
 *
 * @example
 * ```ts
 * const plain = await gunzipped(await readFile('users.csv.gz'), 64 << 20, 64 << 20);
 * ```
 */
export async function gunzipped(
  bytes: Uint8Array,
  maxOutput: number,
  maxBytes: number,
): Promise<Uint8Array> {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    // maxOutputLength must be at least 1: the caller measures what came out against its budget.
    return await gunzipAsync(bytes, { maxOutputLength: Math.max(1, maxOutput) });
  } catch (err) {
    if (err instanceof RangeError) {
      throw new Error(`decompressed payload larger than maxBytes (${maxBytes})`, { cause: err });
    }
    throw new Error(`invalid gzip data: ${messageOf(err)}`, { cause: err });
  }
}

/**
 * Turns the bytes of a JSON or CSV payload (already gunzipped) into records: decodes UTF-8 (a
 * byte-order mark is ignored), tells JSON from CSV and validates every record.
 *
 * The format is, in order: `hints.format`; the extension of `hints.name`; the `Content-Type`;
 * else JSON when the first non-space character is `[` or `{`, CSV otherwise.
 *
 * @throws {Error} When the payload is not UTF-8, not well-formed, or any record lacks a usable
 *   `id`: the whole payload is refused, never half of it.
 *
 * @example
 * ```ts
 * const records = parseRecords(await readFile('users.csv'), { name: 'users.csv' });
 * ```
 */
export function parseRecords(plain: Uint8Array, hints: FormatHints): RawRecord[] {
  let text: string;
  try {
    text = utf8.decode(plain);
  } catch {
    throw new Error('payload is not valid UTF-8');
  }
  const format =
    hints.format ??
    formatFromName(hints.name) ??
    formatFromContentType(hints.contentType) ??
    sniffFormat(text);
  return format === 'json' ? parseJsonRecords(text) : parseCsvRecords(text);
}

/**
 * Validates records given as values (from code or parsed JSON): an array of plain objects,
 * each with a non-empty string `id` (a finite number is turned into its string). Returns
 * frozen shallow copies.
 *
 * @throws {Error} Naming the first offending element.
 *
 * @example
 * ```ts
 * toRawRecords([{ id: 1, name: 'a' }]); // [{ id: '1', name: 'a' }]
 * ```
 */
export function toRawRecords(value: unknown): RawRecord[] {
  if (!Array.isArray(value)) throw new Error('records must be an array of objects');
  return value.map((item: unknown, index) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new Error(`record ${index} is not an object`);
    }
    const id = (item as { id?: unknown }).id;
    let key: string;
    if (typeof id === 'string') key = id;
    else if (typeof id === 'number' && Number.isFinite(id)) key = String(id);
    else throw new Error(`record ${index} has no string "id"`);
    if (key === '') throw new Error(`record ${index} has an empty "id"`);
    // A shallow copy: the caller's objects are neither changed nor frozen.
    return Object.freeze({ ...(item as Record<string, unknown>), id: key });
  });
}

function parseJsonRecords(text: string): RawRecord[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('payload is not valid JSON');
  }
  // Parsed values are ours: freeze them through, so no reader can change the shared copy.
  return toRawRecords(deepFreeze(value));
}

function parseCsvRecords(text: string): RawRecord[] {
  const rows = parseCsv(text);
  const header = rows[0];
  if (header === undefined) throw new Error('CSV payload has no header row');
  const names = header.map((name) => name.trim());
  if (!names.includes('id')) throw new Error('CSV header has no "id" column');
  const seen = new Set<string>();
  for (const name of names) {
    if (name === '') throw new Error('CSV header has an empty column name');
    if (seen.has(name)) throw new Error(`CSV header names "${name.slice(0, 64)}" twice`);
    seen.add(name);
  }
  const records: RawRecord[] = [];
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r] as string[];
    if (row.length === 1 && row[0] === '') continue; // blank line
    if (row.length !== names.length) {
      throw new Error(`CSV row ${r + 1} has ${row.length} fields, the header ${names.length}`);
    }
    // fromEntries defines own properties, so a column named __proto__ stays a plain field.
    const record = Object.fromEntries(names.map((name, k) => [name, row[k] ?? ''])) as {
      id: string;
    };
    if (record.id === '') throw new Error(`CSV row ${r + 1} has an empty "id"`);
    records.push(Object.freeze(record));
  }
  return records;
}

function formatFromName(name: string | undefined): RecordsFormat | undefined {
  const match = name === undefined ? null : /\.(json|csv)(?:\.gz)?$/i.exec(name);
  return match ? (match[1]?.toLowerCase() as RecordsFormat) : undefined;
}

function formatFromContentType(contentType: string | null | undefined): RecordsFormat | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  if (!type) return undefined;
  if (type === 'application/json' || type === 'text/json' || type.endsWith('+json')) return 'json';
  if (type === 'text/csv' || type === 'application/csv' || type === 'text/comma-separated-values')
    return 'csv';
  return undefined;
}

function sniffFormat(text: string): RecordsFormat {
  const first = /\S/.exec(text)?.[0];
  return first === '[' || first === '{' ? 'json' : 'csv';
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
