import type { ArchiveEntry } from './archive-entry.js';

const BLOCK = 512;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/**
 * Tells a tar archive by its header: the `ustar` magic of POSIX and GNU tar at offset 257 and
 * a valid header checksum. Pre-POSIX (v7) archives, which have no magic, are not recognised.
 *
 * @example
 * ```ts
 * isTar(await readFile('bundle.tar')); // true
 * ```
 */
export function isTar(bytes: Uint8Array): boolean {
  if (bytes.length < BLOCK) return false;
  const magic = latin1.decode(bytes.subarray(257, 263));
  if (magic !== 'ustar\0' && magic !== 'ustar ') return false;
  return checksumMatches(bytes.subarray(0, BLOCK));
}

/**
 * Reads a tar archive held in memory: POSIX ustar (with its `prefix` field), pax extended
 * headers (`path` and `size`), and GNU long names. File contents are views into `bytes`, not
 * copies.
 *
 * Strict, because an archive that two readers read differently is a way to smuggle records:
 * every header's checksum must match, every entry must lie wholly inside the archive, the
 * archive must end with its end-of-archive marker followed only by zeros, and an extended
 * header must be followed by its entry.
 *
 * @param maxEntries Most headers (entries and extended headers alike) read before refusing.
 * @throws {Error} For a truncated or damaged archive, more than `maxEntries` headers, a size in
 *   base-256 (over 8 GiB), a name that is not UTF-8, and any entry but a regular file or a
 *   directory: hard links, symbolic links, devices, FIFOs, sparse and multi-volume files are
 *   refused, so that a link named `service-accounts.json` is never mistaken for the file.
 *
 * @example
 * ```ts
 * for (const entry of readTar(bytes, 10_000)) console.log(entry.kind, entry.path, entry.data.length);
 * ```
 */
export function readTar(bytes: Uint8Array, maxEntries: number): ArchiveEntry[] {
  const entries: ArchiveEntry[] = [];
  let offset = 0;
  let headers = 0;
  let longName: string | undefined;
  let pax: PaxHeader | undefined;

  for (;;) {
    if (offset + BLOCK > bytes.length)
      throw new Error('truncated tar archive: no end-of-archive marker');
    const header = bytes.subarray(offset, offset + BLOCK);
    if (isZeroBlock(header)) {
      for (let i = offset + BLOCK; i < bytes.length; i++) {
        if (bytes[i] !== 0) throw new Error('tar archive has data after its end-of-archive marker');
      }
      if (longName !== undefined || pax !== undefined)
        throw new Error('tar archive ends with an extended header and no entry');
      return entries;
    }
    if (++headers > maxEntries) throw new Error(`tar archive has more than ${maxEntries} entries`);
    if (!checksumMatches(header))
      throw new Error(`tar header at byte ${offset} has a wrong checksum`);

    const flag = String.fromCharCode(header[156]!);
    const extended = flag === 'x' || flag === 'L' || flag === 'g' || flag === 'K';
    // A pax size is the size of the entry the pax header describes, not of another extended header.
    const size = (extended ? undefined : pax?.size) ?? octal(header, 124, 12, 'size');
    const start = offset + BLOCK;
    const end = start + size;
    if (end > bytes.length) throw new Error('truncated tar archive: an entry runs past its end');
    const data = bytes.subarray(start, end);
    offset = start + Math.ceil(size / BLOCK) * BLOCK;

    if (flag === 'x' || flag === 'L') {
      if ((flag === 'x' ? pax : longName) !== undefined)
        throw new Error('tar archive has two extended headers for one entry');
      if (flag === 'x') pax = parsePax(data);
      else longName = cString(data, 'long name');
      continue;
    }
    if (flag === 'g') {
      parsePax(data); // global defaults: checked, not applied (no path or size applies to all)
      continue;
    }
    if (flag === 'K') continue; // the long target of a link, refused below with the link

    const path = pax?.path ?? longName ?? headerName(header);
    pax = undefined;
    longName = undefined;
    const shown = JSON.stringify(path.slice(0, 200));
    switch (flag) {
      case '0':
      case '\0':
      case '7': // contiguous file: a regular file to every reader but a few old systems
        entries.push({ path, kind: 'file', data });
        break;
      case '5':
        entries.push({ path, kind: 'directory', data: new Uint8Array(0) });
        break;
      case '1':
        throw new Error(`tar entry ${shown} is a hard link`);
      case '2':
        throw new Error(`tar entry ${shown} is a symbolic link`);
      case '3':
      case '4':
        throw new Error(`tar entry ${shown} is a device`);
      case '6':
        throw new Error(`tar entry ${shown} is a FIFO`);
      default:
        throw new Error(`tar entry ${shown} has unsupported type ${JSON.stringify(flag)}`);
    }
  }
}

interface PaxHeader {
  path?: string;
  size?: number;
}

/** Parses pax records, `"<length> <key>=<value>\n"` each, where length counts the whole record. */
function parsePax(data: Uint8Array): PaxHeader {
  const result: PaxHeader = {};
  let at = 0;
  while (at < data.length) {
    let space = at;
    while (space < data.length && data[space] !== 0x20) space++;
    const lengthText = latin1.decode(data.subarray(at, space));
    if (!/^[1-9]\d{0,8}$/.test(lengthText)) throw new Error('tar pax header is malformed');
    const length = Number(lengthText);
    const end = at + length;
    if (end > data.length || end <= space + 1 || data[end - 1] !== 0x0a)
      throw new Error('tar pax header is malformed');
    let record: string;
    try {
      record = utf8.decode(data.subarray(space + 1, end - 1));
    } catch {
      throw new Error('tar pax header is not UTF-8');
    }
    const equals = record.indexOf('=');
    if (equals <= 0) throw new Error('tar pax header is malformed');
    const key = record.slice(0, equals);
    const value = record.slice(equals + 1);
    if (key === 'path' && value !== '') result.path = value;
    else if (key === 'size' && value !== '') {
      if (!/^\d{1,15}$/.test(value)) throw new Error('tar pax header has an invalid size');
      result.size = Number(value);
    }
    at = end;
  }
  return result;
}

/** The entry's name: POSIX ustar joins `prefix` and `name`; GNU's header uses those bytes otherwise. */
function headerName(header: Uint8Array): string {
  const name = cString(header.subarray(0, 100), 'name');
  const posix = latin1.decode(header.subarray(257, 265)) === 'ustar\u000000';
  if (!posix) return name;
  const prefix = cString(header.subarray(345, 500), 'name prefix');
  return prefix === '' ? name : `${prefix}/${name}`;
}

/** The bytes up to the first NUL, as UTF-8. */
function cString(bytes: Uint8Array, what: string): string {
  const nul = bytes.indexOf(0);
  try {
    return utf8.decode(nul === -1 ? bytes : bytes.subarray(0, nul));
  } catch {
    throw new Error(`tar entry ${what} is not UTF-8`);
  }
}

/** An octal number field: optional leading spaces, octal digits, then NULs or spaces. */
function octal(header: Uint8Array, at: number, length: number, what: string): number {
  const field = header.subarray(at, at + length);
  if ((field[0]! & 0x80) !== 0) throw new Error(`tar entry ${what} in base-256 is not supported`);
  const text = latin1.decode(field).replace(/^ +/, '');
  const match = /^([0-7]*)[\0 ]*$/.exec(text);
  if (match === null) throw new Error(`tar entry ${what} is not an octal number`);
  return match[1] === '' ? 0 : parseInt(match[1]!, 8);
}

/** The header's checksum: the sum of its bytes with the checksum field read as spaces. */
function checksumMatches(header: Uint8Array): boolean {
  let stored: number;
  try {
    stored = octal(header, 148, 8, 'checksum');
  } catch {
    return false;
  }
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : header[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  // Some old writers summed signed chars; both sums are what readers accept.
  return stored === unsigned || stored === signed;
}

function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}
