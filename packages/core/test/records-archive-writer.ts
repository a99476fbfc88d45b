// A small tar and zip writer for the records tests: enough of both formats to build the
// archives that real tools write (ustar, GNU long names, pax; stored and deflated zip entries,
// data descriptors as Go's archive/zip writes them, zip64), and to build broken and hostile
// ones on purpose (wrong sizes and checksums, links, devices, overlapping entries, ...).
import { crc32, deflateRawSync } from 'node:zlib';

const BLOCK = 512;

function bytesOf(data: string | Uint8Array | undefined): Buffer {
  if (data === undefined) return Buffer.alloc(0);
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
}

// ---------------------------------------------------------------------------------------------
// tar

export interface TarEntry {
  path: string;
  data?: string | Uint8Array;
  /** The typeflag: '0' file (default), '5' directory, '1' hard link, '2' symlink, '3' char device, '6' FIFO, ... */
  type?: string;
  linkname?: string;
  /** The size written in the header, when it should lie. */
  declaredSize?: number;
  /** Write a wrong header checksum. */
  badChecksum?: boolean;
  /** Write the path in a pax header ('x') before the entry, with these extra pax records. */
  pax?: Record<string, string>;
  /** Write the path as a GNU long name ('L' entry) before the entry. */
  gnuLongName?: boolean;
}

export interface TarOptions {
  /** 'posix' (ustar\0 00, with a prefix field) or 'gnu' (ustar  \0). Default 'posix'. */
  format?: 'posix' | 'gnu';
  /** Write the two zero blocks at the end. Default true. */
  end?: boolean;
  /** Bytes appended after the end. */
  trailing?: Uint8Array;
}

function octalField(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function tarHeader(
  name: string,
  size: number,
  type: string,
  options: { format: 'posix' | 'gnu'; linkname?: string; badChecksum?: boolean },
): Buffer {
  const header = Buffer.alloc(BLOCK);
  let prefix = '';
  let base = name;
  if (options.format === 'posix' && Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', name.length - 1);
    if (cut > 0 && Buffer.byteLength(name.slice(cut + 1)) <= 100) {
      prefix = name.slice(0, cut);
      base = name.slice(cut + 1);
    }
  }
  header.write(base.slice(0, 100), 0, 'utf8');
  header.write(octalField(0o644, 8), 100, 'latin1');
  header.write(octalField(0, 8), 108, 'latin1');
  header.write(octalField(0, 8), 116, 'latin1');
  header.write(octalField(size, 12), 124, 'latin1');
  header.write(octalField(1_700_000_000, 12), 136, 'latin1');
  header.write(' '.repeat(8), 148, 'latin1');
  header.write(type, 156, 'latin1');
  if (options.linkname) header.write(options.linkname.slice(0, 100), 157, 'utf8');
  if (options.format === 'posix') header.write('ustar\u000000', 257, 'latin1');
  else header.write('ustar  \u0000', 257, 'latin1');
  header.write('test', 265, 'latin1');
  header.write('test', 297, 'latin1');
  if (prefix) header.write(prefix.slice(0, 155), 345, 'utf8');
  let sum = 0;
  for (const byte of header) sum += byte;
  if (options.badChecksum) sum += 1;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return header;
}

function padded(data: Buffer): Buffer {
  const rest = data.length % BLOCK;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - rest)]);
}

function paxRecords(records: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  for (const [key, value] of Object.entries(records)) {
    const body = ` ${key}=${value}\n`;
    let length = Buffer.byteLength(body) + 1;
    while (String(length).length + Buffer.byteLength(body) !== length) length++;
    parts.push(Buffer.from(`${length}${body}`, 'utf8'));
  }
  return Buffer.concat(parts);
}

/** A tar archive of these entries. */
export function tar(entries: TarEntry[], options: TarOptions = {}): Buffer {
  const format = options.format ?? 'posix';
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const data = bytesOf(entry.data);
    const type = entry.type ?? '0';
    let name = entry.path;
    if (entry.pax) {
      const pax = paxRecords({ path: entry.path, ...entry.pax });
      blocks.push(tarHeader('PaxHeader/x', pax.length, 'x', { format }), padded(pax));
      name = entry.path.slice(0, 99);
    }
    if (entry.gnuLongName) {
      const long = Buffer.concat([Buffer.from(entry.path, 'utf8'), Buffer.alloc(1)]);
      blocks.push(tarHeader('././@LongLink', long.length, 'L', { format }), padded(long));
      name = entry.path.slice(0, 99);
    }
    blocks.push(
      tarHeader(name, entry.declaredSize ?? data.length, type, {
        format,
        ...(entry.linkname !== undefined && { linkname: entry.linkname }),
        ...(entry.badChecksum !== undefined && { badChecksum: entry.badChecksum }),
      }),
      padded(data),
    );
  }
  if (options.end !== false) blocks.push(Buffer.alloc(2 * BLOCK));
  if (options.trailing) blocks.push(Buffer.from(options.trailing));
  return Buffer.concat(blocks);
}

// ---------------------------------------------------------------------------------------------
// zip

export interface ZipEntry {
  path: string;
  data?: string | Uint8Array;
  /** Default 'deflate'. */
  method?: 'store' | 'deflate';
  /** A compression method id written as is (12 is bzip2), for refusals. */
  methodId?: number;
  /** Unix mode in the external attributes (e.g. 0o120777 for a symbolic link). */
  mode?: number;
  /** The uncompressed size written in the central directory, when it should lie. */
  declaredSize?: number;
  /** The CRC-32 written, when it should be wrong. */
  crc?: number;
  /** The name written in the local header, when it should differ from the central directory's. */
  localName?: string;
  /** Write sizes in a data descriptor after the data (general purpose bit 3), as Go does. Default true. */
  dataDescriptor?: boolean;
  /** Set the encryption flag. */
  encrypted?: boolean;
  /** Point this central entry at the local header of entry number `sharesLocalOf` (an overlap). */
  sharesLocalOf?: number;
  /** Disk number written for the entry. */
  disk?: number;
}

export interface ZipOptions {
  /**
   * `true`: zip64 records (end record, locator, zip64 extra fields, the end record's fields
   * full). `'end-records'`: only the zip64 end record and locator, as some writers add anyway.
   */
  zip64?: boolean | 'end-records';
  /** The entry count written in the end record, when it should lie. */
  declaredCount?: number;
  comment?: string;
}

/** A zip archive of these entries. */
export function zip(entries: ZipEntry[], options: ZipOptions = {}): Buffer {
  const locals: Buffer[] = [];
  const offsets: number[] = [];
  let offset = 0;
  const central: Buffer[] = [];

  entries.forEach((entry, index) => {
    const data = bytesOf(entry.data);
    const directory = entry.path.endsWith('/');
    const method = entry.methodId ?? (entry.method === 'store' || directory ? 0 : 8);
    const compressed = method === 8 ? deflateRawSync(data) : data;
    const crc = entry.crc ?? crc32(data);
    const descriptor = entry.dataDescriptor ?? true;
    const flags = 0x0800 | (descriptor ? 0x0008 : 0) | (entry.encrypted ? 0x0001 : 0);
    const name = Buffer.from(entry.path, 'utf8');
    const localName = Buffer.from(entry.localName ?? entry.path, 'utf8');

    let localOffset: number;
    if (entry.sharesLocalOf !== undefined) {
      localOffset = offsets[entry.sharesLocalOf]!;
    } else {
      localOffset = offset;
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4);
      local.writeUInt16LE(flags, 6);
      local.writeUInt16LE(method, 8);
      local.writeUInt32LE(0, 10);
      local.writeUInt32LE(descriptor ? 0 : crc, 14);
      local.writeUInt32LE(descriptor ? 0 : compressed.length, 18);
      local.writeUInt32LE(descriptor ? 0 : data.length, 22);
      local.writeUInt16LE(localName.length, 26);
      local.writeUInt16LE(0, 28);
      const parts = [local, localName, compressed];
      if (descriptor) {
        const dd = Buffer.alloc(16);
        dd.writeUInt32LE(0x08074b50, 0);
        dd.writeUInt32LE(crc, 4);
        dd.writeUInt32LE(compressed.length, 8);
        dd.writeUInt32LE(data.length, 12);
        parts.push(dd);
      }
      const block = Buffer.concat(parts);
      locals.push(block);
      offset += block.length;
    }
    offsets[index] = localOffset;

    const size = entry.declaredSize ?? data.length;
    let extra = Buffer.alloc(0);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE((3 << 8) | 20, 4); // made by Unix
    c.writeUInt16LE(options.zip64 === true ? 45 : 20, 6);
    c.writeUInt16LE(flags, 8);
    c.writeUInt16LE(method, 10);
    c.writeUInt32LE(crc, 16);
    if (options.zip64 === true) {
      extra = Buffer.alloc(4 + 24);
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(24, 2);
      extra.writeBigUInt64LE(BigInt(size), 4);
      extra.writeBigUInt64LE(BigInt(compressed.length), 12);
      extra.writeBigUInt64LE(BigInt(localOffset), 20);
      c.writeUInt32LE(0xffffffff, 20);
      c.writeUInt32LE(0xffffffff, 24);
      c.writeUInt32LE(0xffffffff, 42);
    } else {
      c.writeUInt32LE(compressed.length, 20);
      c.writeUInt32LE(size, 24);
      c.writeUInt32LE(localOffset, 42);
    }
    c.writeUInt16LE(name.length, 28);
    c.writeUInt16LE(extra.length, 30);
    c.writeUInt16LE(0, 32);
    c.writeUInt16LE(entry.disk ?? 0, 34);
    const mode = entry.mode ?? (directory ? 0o040755 : 0o100644);
    c.writeUInt32LE(((mode & 0xffff) << 16) >>> 0, 38);
    central.push(Buffer.concat([c, name, extra]));
  });

  const directory = Buffer.concat(central);
  const directoryStart = offset;
  const count = options.declaredCount ?? entries.length;
  const comment = Buffer.from(options.comment ?? '', 'utf8');
  const tail: Buffer[] = [];
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  if (options.zip64) {
    const end64 = Buffer.alloc(56);
    end64.writeUInt32LE(0x06064b50, 0);
    end64.writeBigUInt64LE(44n, 4);
    end64.writeUInt16LE(45, 12);
    end64.writeUInt16LE(45, 14);
    end64.writeBigUInt64LE(BigInt(count), 24);
    end64.writeBigUInt64LE(BigInt(count), 32);
    end64.writeBigUInt64LE(BigInt(directory.length), 40);
    end64.writeBigUInt64LE(BigInt(directoryStart), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(directoryStart + directory.length), 8);
    locator.writeUInt32LE(1, 16);
    tail.push(end64, locator);
  }
  if (options.zip64 === true) {
    end.writeUInt16LE(0xffff, 8);
    end.writeUInt16LE(0xffff, 10);
    end.writeUInt32LE(0xffffffff, 12);
    end.writeUInt32LE(0xffffffff, 16);
  } else {
    end.writeUInt16LE(count, 8);
    end.writeUInt16LE(count, 10);
    end.writeUInt32LE(directory.length, 12);
    end.writeUInt32LE(directoryStart, 16);
  }
  end.writeUInt16LE(comment.length, 20);
  return Buffer.concat([...locals, directory, ...tail, end, comment]);
}
