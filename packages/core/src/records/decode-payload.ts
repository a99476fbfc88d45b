import { MAX_ARCHIVE_ENTRIES, type ArchiveEntry } from './archive-entry.js';
import { checkedEntryPath, recordsFileOf } from './archive-paths.js';
import { ByteBudget } from './byte-budget.js';
import { gunzipped, parseRecords, type FormatHints } from './decode-records.js';
import { checkUnambiguousTypes } from './record-types.js';
import { isTar, readTar } from './read-tar.js';
import { isZip, readZip } from './read-zip.js';
import type { RawRecord } from './records-source.js';

/**
 * What one load decoded: records without a type (a JSON or CSV payload), or records by type
 * (an archive: the type is the path of the file inside it, without its extension), in
 * archive order.
 */
export type RecordsPayload =
  | { readonly archive: false; readonly records: RawRecord[] }
  | { readonly archive: true; readonly types: ReadonlyMap<string, RawRecord[]> };

/** What {@link decodePayload} knows about a payload besides its bytes. */
export interface PayloadHints extends FormatHints {
  /** Largest payload accepted: as received, after gunzip, and for an archive's files together. */
  maxBytes: number;
}

/**
 * Decodes the bytes of one load: gunzips them when they start with the gzip magic bytes;
 * reads a zip or tar archive when they are one (told by their magic bytes, whatever their
 * name); else parses them as one JSON or CSV payload.
 *
 * In an archive, every `.json` / `.csv` file (either optionally `.gz`, and gunzipped by its
 * magic bytes) holds the records of the type its path names; its extension gives its format.
 * Directories and files of other extensions are skipped. Everything decompressed out of an
 * archive draws from one budget of `maxBytes`.
 *
 * @throws {Error} When anything is wrong: too large, not an archive nor records, a refused
 *   archive entry or path (see `readTar`, `readZip`, `checkedEntryPath`), two files of one
 *   path or of one record type, two names of the same records (see `RECORD_TYPES`), an
 *   archive without any records file, or a file that is not valid records (its path says
 *   which). The whole payload is refused, never part of it.
 *
 * @example
 * ```ts
 * const payload = await decodePayload(await readFile('bundle.tar.gz'), { maxBytes: 64 << 20 });
 * if (payload.archive) console.log([...payload.types.keys()]); // ['service-accounts', 'directory/users']
 * ```
 */
export async function decodePayload(
  bytes: Uint8Array,
  hints: PayloadHints,
): Promise<RecordsPayload> {
  const { maxBytes } = hints;
  if (bytes.byteLength > maxBytes) throw new Error(`payload larger than maxBytes (${maxBytes})`);
  const plain = await gunzipped(bytes, maxBytes, maxBytes);

  let entries: ArchiveEntry[];
  const budget = new ByteBudget(maxBytes);
  if (isZip(plain)) entries = await readZip(plain, { maxEntries: MAX_ARCHIVE_ENTRIES, budget });
  else if (isTar(plain)) entries = readTar(plain, MAX_ARCHIVE_ENTRIES);
  else return { archive: false, records: parseRecords(plain, hints) };

  const types = new Map<string, RawRecord[]>();
  const pathOfType = new Map<string, string>();
  const paths = new Set<string>();
  for (const entry of entries) {
    const path = checkedEntryPath(entry.path);
    if (entry.kind === 'directory') continue;
    if (paths.has(path)) throw new Error(`the archive holds ${JSON.stringify(path)} twice`);
    paths.add(path);
    const file = recordsFileOf(path);
    if (file === null) continue;
    const other = pathOfType.get(file.type);
    if (other !== undefined) {
      throw new Error(
        `the archive holds ${JSON.stringify(other)} and ${JSON.stringify(path)}, both of record type ${JSON.stringify(file.type)}`,
      );
    }
    pathOfType.set(file.type, path);
    try {
      const content = await gunzipped(entry.data, budget.remaining, maxBytes);
      if (content !== entry.data) budget.take(content.length, path);
      types.set(file.type, parseRecords(content, { format: file.format }));
    } catch (err) {
      throw new Error(`${path}: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
      });
    }
  }
  if (types.size === 0) throw new Error('the archive holds no .json or .csv file');
  checkUnambiguousTypes([...types.keys()]);
  return { archive: true, types };
}
