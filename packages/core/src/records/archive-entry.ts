/**
 * One entry of a tar or zip archive, as the archive readers hand it over: its path as the
 * archive writes it (checked later, see `checkedEntryPath`), and for a file, its content.
 * Links, devices and other special entries never get this far: the readers refuse them.
 */
export interface ArchiveEntry {
  path: string;
  kind: 'file' | 'directory';
  /** The file's bytes (a view into the archive's buffer, or inflated); empty for a directory. */
  data: Uint8Array;
}

/**
 * Most entries an archive may hold, counting directories and tar's extended headers. A records
 * archive holds a handful of files; a bound stops an archive of millions of empty entries from
 * costing a million objects before anything else could refuse it.
 */
export const MAX_ARCHIVE_ENTRIES = 10_000;
