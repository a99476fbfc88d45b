import * as zlib from 'node:zlib';
import { promisify } from 'node:util';
import type { ArchiveEntry } from './archive-entry.js';
import type { ByteBudget } from './byte-budget.js';

const inflateRawAsync = promisify(zlib.inflateRaw);
const utf8 = new TextDecoder('utf-8', { fatal: true });

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const ZIP64_END = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EXTRA = 0x0001;
const STORED = 0;
const DEFLATED = 8;
/** Deflate's best case: a 258-byte match in two bits, so no entry can inflate beyond this ratio. */
const DEFLATE_MAX_RATIO = 1032;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

/**
 * Tells a zip archive by its first bytes: a local file header, or the end record of an empty
 * archive.
 *
 * @example
 * ```ts
 * isZip(await readFile('bundle.zip')); // true
 * ```
 */
export function isZip(bytes: Uint8Array): boolean {
  if (bytes.length < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) return false;
  return (bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6);
}

/**
 * Reads a zip archive held in memory, from its central directory (as every careful reader
 * does: the local headers of entries written with data descriptors, as Go's `archive/zip`
 * writes them, carry no sizes), with zip64 records when sizes or counts need them. Stored and
 * deflated entries are supported; deflated ones are inflated with `node:zlib`.
 *
 * Refused, so that no two readers can see different files in one archive and no archive can
 * cost more than its budget: a missing or inconsistent end record or central directory;
 * multi-disk and encrypted archives; other compression methods; a local header that disagrees
 * with the central directory on name or method; entries outside the archive or overlapping one
 * another (the "overlapping files" zip bomb) or the central directory; a declared size that
 * deflate cannot reach from the compressed size, that exceeds the budget, or that the data
 * does not match exactly; a wrong CRC-32; more than `maxEntries` entries; names that are not
 * UTF-8; and symbolic links and other special files (Unix modes).
 *
 * @param budget Draws every inflated entry's declared size, before inflating it.
 * @throws {Error} Saying what was refused.
 *
 * @example
 * ```ts
 * const entries = await readZip(bytes, { maxEntries: 10_000, budget: new ByteBudget(64 << 20) });
 * ```
 */
export async function readZip(
  bytes: Uint8Array,
  limits: { maxEntries: number; budget: ByteBudget },
): Promise<ArchiveEntry[]> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = findEnd(bytes, view);
  const { count, directoryStart, directoryEnd } = end;
  if (count > limits.maxEntries)
    throw new Error(`zip archive has more than ${limits.maxEntries} entries`);

  const central: CentralEntry[] = [];
  let at = directoryStart;
  for (let i = 0; i < count; i++) {
    const entry = readCentralEntry(bytes, view, at, directoryEnd);
    central.push(entry);
    at = entry.next;
  }
  if (at !== directoryEnd) throw new Error('zip central directory has data after its last entry');

  for (const entry of central) locateData(bytes, view, entry, directoryStart);
  const byOffset = [...central].sort((a, b) => a.localOffset - b.localOffset);
  for (let i = 1; i < byOffset.length; i++) {
    if (byOffset[i]!.localOffset < byOffset[i - 1]!.dataEnd)
      throw new Error(`zip entry ${shown(byOffset[i]!.name)} overlaps another entry`);
  }

  const entries: ArchiveEntry[] = [];
  for (const entry of central) {
    if (entry.directory) {
      entries.push({ path: entry.name, kind: 'directory', data: new Uint8Array(0) });
      continue;
    }
    entries.push({
      path: entry.name,
      kind: 'file',
      data: await contentOf(bytes, entry, limits.budget),
    });
  }
  return entries;
}

interface CentralEntry {
  name: string;
  nameBytes: Uint8Array;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  directory: boolean;
  /** Where the next central entry starts. */
  next: number;
  /** Set by `locateData`. */
  dataStart: number;
  dataEnd: number;
}

/** The end of central directory record (and its zip64 twin when one is needed). */
function findEnd(
  bytes: Uint8Array,
  view: DataView,
): { count: number; directoryStart: number; directoryEnd: number } {
  // The end record is 22 bytes plus a comment of up to 65535; it must end the file exactly.
  let at = -1;
  for (let p = bytes.length - 22; p >= 0 && p >= bytes.length - 22 - 0xffff; p--) {
    if (
      view.getUint32(p, true) === END_OF_CENTRAL_DIRECTORY &&
      p + 22 + view.getUint16(p + 20, true) === bytes.length
    ) {
      at = p;
      break;
    }
  }
  if (at === -1) throw new Error('truncated or damaged zip archive: no end of central directory');
  const disk = view.getUint16(at + 4, true);
  const directoryDisk = view.getUint16(at + 6, true);
  let onDisk = view.getUint16(at + 8, true);
  let count = view.getUint16(at + 10, true);
  let size = view.getUint32(at + 12, true);
  let start = view.getUint32(at + 16, true);
  let directoryEnd = at;
  if (disk !== 0 || directoryDisk !== 0)
    throw new Error('multi-disk zip archives are not supported');

  // Zip64 records are needed when a field of the end record is full; some writers add them anyway.
  const locator = at - 20;
  const hasLocator = locator >= 0 && view.getUint32(locator, true) === ZIP64_LOCATOR;
  const needs64 =
    count === 0xffff || onDisk === 0xffff || size === 0xffffffff || start === 0xffffffff;
  if (needs64 && !hasLocator) throw new Error('damaged zip64 archive: no zip64 end locator');
  if (hasLocator) {
    if (view.getUint32(locator + 4, true) !== 0 || view.getUint32(locator + 16, true) > 1)
      throw new Error('multi-disk zip archives are not supported');
    const end64 = uint64(view, locator + 8);
    if (end64 + 56 > locator || view.getUint32(end64, true) !== ZIP64_END)
      throw new Error('damaged zip64 archive: no zip64 end of central directory');
    if (view.getUint32(end64 + 16, true) !== 0 || view.getUint32(end64 + 20, true) !== 0)
      throw new Error('multi-disk zip archives are not supported');
    onDisk = uint64(view, end64 + 24);
    count = uint64(view, end64 + 32);
    size = uint64(view, end64 + 40);
    start = uint64(view, end64 + 48);
    directoryEnd = end64;
  }
  if (onDisk !== count) throw new Error('multi-disk zip archives are not supported');
  if (start + size !== directoryEnd)
    throw new Error('damaged zip archive: the central directory is not where the end record says');
  return { count, directoryStart: start, directoryEnd };
}

function readCentralEntry(
  bytes: Uint8Array,
  view: DataView,
  at: number,
  limit: number,
): CentralEntry {
  if (at + 46 > limit || view.getUint32(at, true) !== CENTRAL_HEADER)
    throw new Error('damaged zip archive: bad central directory entry');
  const madeBy = view.getUint16(at + 4, true);
  const flags = view.getUint16(at + 8, true);
  const method = view.getUint16(at + 10, true);
  const crc = view.getUint32(at + 16, true);
  let compressedSize = view.getUint32(at + 20, true);
  let size = view.getUint32(at + 24, true);
  const nameLength = view.getUint16(at + 28, true);
  const extraLength = view.getUint16(at + 30, true);
  const commentLength = view.getUint16(at + 32, true);
  let disk = view.getUint16(at + 34, true);
  const external = view.getUint32(at + 38, true);
  let localOffset = view.getUint32(at + 42, true);
  const next = at + 46 + nameLength + extraLength + commentLength;
  if (next > limit) throw new Error('damaged zip archive: bad central directory entry');

  const nameBytes = bytes.subarray(at + 46, at + 46 + nameLength);
  let name: string;
  try {
    name = utf8.decode(nameBytes);
  } catch {
    throw new Error('zip entry name is not UTF-8');
  }

  // Zip64: the sizes, offset and disk set to all ones in the entry are in the zip64 extra field, in this order.
  const extra = bytes.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
  const extraView = new DataView(extra.buffer, extra.byteOffset, extra.byteLength);
  for (let p = 0; p + 4 <= extra.length;) {
    const id = extraView.getUint16(p, true);
    const length = extraView.getUint16(p + 2, true);
    if (p + 4 + length > extra.length)
      throw new Error(`zip entry ${shown(name)} has a damaged extra field`);
    if (id === ZIP64_EXTRA) {
      let q = p + 4;
      const read64 = (): number => {
        if (q + 8 > p + 4 + length)
          throw new Error(`zip entry ${shown(name)} has a damaged zip64 field`);
        const value = uint64(extraView, q);
        q += 8;
        return value;
      };
      if (size === 0xffffffff) size = read64();
      if (compressedSize === 0xffffffff) compressedSize = read64();
      if (localOffset === 0xffffffff) localOffset = read64();
      if (disk === 0xffff) {
        if (q + 4 > p + 4 + length)
          throw new Error(`zip entry ${shown(name)} has a damaged zip64 field`);
        disk = extraView.getUint32(q, true);
      }
    }
    p += 4 + length;
  }

  if (disk !== 0) throw new Error('multi-disk zip archives are not supported');
  if ((flags & 0x41) !== 0) throw new Error(`zip entry ${shown(name)} is encrypted`);
  const host = madeBy >> 8;
  const mode = external >>> 16;
  // Unix (3) and OS X (19) writers keep the file's mode in the high half of the attributes.
  if ((host === 3 || host === 19) && mode !== 0) {
    const type = mode & S_IFMT;
    if (type === S_IFLNK) throw new Error(`zip entry ${shown(name)} is a symbolic link`);
    if (type !== 0 && type !== S_IFREG && type !== S_IFDIR)
      throw new Error(`zip entry ${shown(name)} is a special file (mode ${type.toString(8)})`);
  }
  const directory = name.endsWith('/');
  if (!directory) {
    if (method !== STORED && method !== DEFLATED)
      throw new Error(`zip entry ${shown(name)} uses unsupported compression method ${method}`);
    if (method === STORED && compressedSize !== size)
      throw new Error(`zip entry ${shown(name)} is stored with two different sizes`);
    if (method === DEFLATED && size > compressedSize * DEFLATE_MAX_RATIO)
      throw new Error(
        `zip entry ${shown(name)} declares a size deflate cannot reach from its compressed size`,
      );
  }
  return {
    name,
    nameBytes,
    method,
    crc,
    compressedSize,
    size,
    localOffset,
    directory,
    next,
    dataStart: 0,
    dataEnd: 0,
  };
}

/** Finds an entry's data after its local header, which must agree with the central directory. */
function locateData(bytes: Uint8Array, view: DataView, entry: CentralEntry, limit: number): void {
  const at = entry.localOffset;
  if (at + 30 > limit || view.getUint32(at, true) !== LOCAL_HEADER)
    throw new Error(`zip entry ${shown(entry.name)} has no local header where the directory says`);
  const method = view.getUint16(at + 8, true);
  const nameLength = view.getUint16(at + 26, true);
  const extraLength = view.getUint16(at + 28, true);
  const name = bytes.subarray(at + 30, at + 30 + nameLength);
  if (!sameBytes(name, entry.nameBytes) || (!entry.directory && method !== entry.method))
    throw new Error(
      `zip entry ${shown(entry.name)} has a local header that disagrees with the directory`,
    );
  entry.dataStart = at + 30 + nameLength + extraLength;
  entry.dataEnd = entry.dataStart + entry.compressedSize;
  if (entry.dataEnd > limit)
    throw new Error(`zip entry ${shown(entry.name)} runs past the central directory`);
}

async function contentOf(
  bytes: Uint8Array,
  entry: CentralEntry,
  budget: ByteBudget,
): Promise<Uint8Array> {
  const raw = bytes.subarray(entry.dataStart, entry.dataEnd);
  let data: Uint8Array;
  if (entry.method === STORED) data = raw;
  else {
    budget.take(entry.size, `zip entry ${shown(entry.name)}`);
    try {
      // One byte more than declared is enough to catch an entry that lies about its size.
      data = await inflateRawAsync(raw, { maxOutputLength: entry.size + 1 });
    } catch (err) {
      const problem =
        err instanceof RangeError
          ? 'inflates to more than its declared size'
          : 'has invalid deflate data';
      throw new Error(`zip entry ${shown(entry.name)} ${problem}`, { cause: err });
    }
    if (data.length !== entry.size)
      throw new Error(`zip entry ${shown(entry.name)} inflates to less than its declared size`);
  }
  if (crc32(data) !== entry.crc)
    throw new Error(`zip entry ${shown(entry.name)} fails its CRC-32 check`);
  return data;
}

/** `zlib.crc32` from Node 20.15 and 22.2; a table-driven CRC-32 before. */
const crc32: (data: Uint8Array) => number =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function'
    ? (data) => (zlib as unknown as { crc32(data: Uint8Array): number }).crc32(data)
    : tableCrc32;

let table: Uint32Array | undefined;
function tableCrc32(data: Uint8Array): number {
  if (table === undefined) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** A little-endian 64-bit value, refused beyond what a Number holds exactly (no buffer is that large). */
function uint64(view: DataView, at: number): number {
  const value = view.getBigUint64(at, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER))
    throw new Error('damaged zip64 archive: a value is too large');
  return Number(value);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function shown(name: string): string {
  return JSON.stringify(name.slice(0, 200));
}
