import type { RecordsFormat } from './decode-records.js';

/** The longest path accepted inside an archive, in characters. */
const MAX_PATH_LENGTH = 1024;

/**
 * Checks the path of an archive entry and returns it without a leading `./` (as `tar -C dir .`
 * writes) and without the trailing `/` of a directory.
 *
 * Nothing is ever written to disk, so a path is no threat to the file system here; but a path
 * names a record type, and an archive that says `../users.json`, `/users.json`,
 * `C:\users.json` or `users//x.json` is either broken or trying to make two names of one type
 * (or one name of two) out of the readers that disagree on such paths. It is refused.
 *
 * @throws {Error} For an empty or overlong path, a control character, a backslash, an absolute
 *   path, a drive letter, a `..` or `.` segment (but a leading `./`), or an empty segment.
 *
 * @example
 * ```ts
 * checkedEntryPath('./directory/users.csv'); // 'directory/users.csv'
 * checkedEntryPath('../users.csv'); // throws
 * ```
 */
export function checkedEntryPath(raw: string): string {
  const shown = JSON.stringify(raw.slice(0, 200));
  if (raw.length > MAX_PATH_LENGTH) throw new Error(`entry path ${shown}… is too long`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(raw))
    throw new Error(`entry path ${shown} holds a control character`);
  if (raw.includes('\\')) throw new Error(`entry path ${shown} holds a backslash`);
  if (raw.startsWith('/')) throw new Error(`entry path ${shown} is absolute`);
  if (/^[a-z]:/i.test(raw)) throw new Error(`entry path ${shown} starts with a drive letter`);
  let path = raw;
  while (path.startsWith('./')) path = path.slice(2);
  if (path === '.' || path === '') return '';
  if (path.endsWith('/')) path = path.slice(0, -1);
  for (const segment of path.split('/')) {
    if (segment === '..') throw new Error(`entry path ${shown} climbs out with ".."`);
    if (segment === '.') throw new Error(`entry path ${shown} holds a "." segment`);
    if (segment === '') throw new Error(`entry path ${shown} holds an empty segment`);
  }
  return path;
}

/** The record type a file holds and the format of its payload. */
export interface RecordsFile {
  type: string;
  format: RecordsFormat;
}

/**
 * The record type and format of a file of an archive, from its checked path: the path without
 * its `.json` or `.csv` extension (either optionally followed by `.gz`, any case), or `null`
 * for a file that holds no records and is skipped: any other extension (a README), and the
 * metadata macOS adds to archives (`__MACOSX/`, `._name`).
 *
 * @throws {Error} For a records file whose name is only an extension (`.json`).
 *
 * @example
 * ```ts
 * recordsFileOf('pomerium.io/DirectoryUser.json'); // { type: 'pomerium.io/DirectoryUser', format: 'json' }
 * recordsFileOf('directory/users.csv.gz'); // { type: 'directory/users', format: 'csv' }
 * recordsFileOf('README.md'); // null
 * ```
 */
export function recordsFileOf(path: string): RecordsFile | null {
  const segments = path.split('/');
  const base = segments[segments.length - 1] ?? '';
  if (segments.includes('__MACOSX') || base.startsWith('._')) return null;
  const match = /\.(json|csv)(?:\.gz)?$/i.exec(path);
  if (match === null) return null;
  const type = path.slice(0, match.index);
  if (type === '' || type.endsWith('/'))
    throw new Error(`entry ${JSON.stringify(path)} names no record type`);
  return { type, format: match[1]!.toLowerCase() as RecordsFormat };
}
