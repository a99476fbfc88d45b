import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { decodePayload } from './decode-payload.js';
import type { RecordsFormat } from './decode-records.js';
import type { LoadOutcome, RecordsLoader } from './records-loader.js';

/** Options of {@link fileRecordsLoader}. */
export interface FileRecordsLoaderOptions {
  /** The payload format; by default from the extension, else sniffed. */
  format?: RecordsFormat | undefined;
  /** Largest file, and largest decompressed payload, accepted. */
  maxBytes: number;
}

/**
 * A file's modification time can be too coarse to see two writes in the same tick (whole
 * seconds on some file systems), so a matching stat is only trusted when the file was already
 * this old when it was last read.
 */
const MTIME_SETTLE_MS = 2000;

const CHUNK = 64 * 1024;

/**
 * Loads records from a file on disk. A poll that finds the same size, inode and modification
 * time as the last good load answers "unchanged" without reading; otherwise the file is read
 * (at most `maxBytes`) and its bytes are compared with the last good load's digest.
 *
 * @param path A file system path (not a URL).
 *
 * @example
 * ```ts
 * const load = fileRecordsLoader('/etc/app/service-accounts.json.gz', { maxBytes: 64 << 20 });
 * ```
 */
export function fileRecordsLoader(path: string, options: FileRecordsLoaderOptions): RecordsLoader {
  let last:
    { size: number; mtimeMs: number; ino: number; readAt: number; digest: string } | undefined;

  return async (signal: AbortSignal): Promise<LoadOutcome> => {
    signal.throwIfAborted();
    const handle = await open(path, 'r');
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw new Error('not a regular file');
      if (
        last !== undefined &&
        stat.size === last.size &&
        stat.mtimeMs === last.mtimeMs &&
        stat.ino === last.ino &&
        last.readAt - stat.mtimeMs > MTIME_SETTLE_MS
      ) {
        return { changed: false };
      }
      if (stat.size > options.maxBytes)
        throw new Error(`file larger than maxBytes (${options.maxBytes})`);
      const readAt = Date.now();
      const bytes = await readBounded(handle, options.maxBytes, signal);
      const digest = createHash('sha256').update(bytes).digest('hex');
      if (last !== undefined && digest === last.digest) {
        last = { size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino, readAt, digest };
        return { changed: false };
      }
      const payload = await decodePayload(bytes, {
        format: options.format,
        name: path,
        maxBytes: options.maxBytes,
      });
      last = { size: stat.size, mtimeMs: stat.mtimeMs, ino: stat.ino, readAt, digest };
      return { changed: true, payload };
    } finally {
      await handle.close();
    }
  };
}

/** Reads to the end of the file, failing as soon as more than `maxBytes` were read. */
async function readBounded(
  handle: Awaited<ReturnType<typeof open>>,
  maxBytes: number,
  signal: AbortSignal,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    signal.throwIfAborted();
    const buffer = Buffer.allocUnsafe(CHUNK);
    const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
    if (bytesRead === 0) break;
    total += bytesRead;
    if (total > maxBytes) throw new Error(`file larger than maxBytes (${maxBytes})`);
    chunks.push(buffer.subarray(0, bytesRead));
  }
  return Buffer.concat(chunks, total);
}
