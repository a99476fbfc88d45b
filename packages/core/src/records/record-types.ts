import type { RecordsSource } from './records-source.js';

/**
 * The record types each option reads from an archive, in order of preference: the suite's
 * short names, and the type names of Pomerium's databroker (`type.googleapis.com/user.ServiceAccount`,
 * `pomerium.io/DirectoryUser`, as in the directory bundles of Pomerium's datasource) or of
 * Pomerium Enterprise's API (`pomerium.dashboard.Namespace`). A record type is the path of a
 * file inside the archive without its `.json` / `.csv` / `.gz` extension.
 *
 * An archive that holds two names of one option (`users.csv` and `directory/users.json`) is
 * refused as ambiguous: which of the two would revoke an account is not something to guess.
 *
 * @example
 * ```ts
 * RECORD_TYPES.directory; // ['directory/users', 'users', 'pomerium.io/DirectoryUser']
 * // bundle.zip: service-accounts.json, pomerium.io/DirectoryUser.json
 * const bundle = createRecordsSource({ url: '/etc/app/bundle.zip' });
 * createPomeriumAuth({ sharedSecret, serviceAccounts: bundle, directory: bundle });
 * ```
 */
export const RECORD_TYPES = Object.freeze({
  serviceAccounts: Object.freeze([
    'service-accounts',
    'type.googleapis.com/user.ServiceAccount',
  ] as const),
  directory: Object.freeze(['directory/users', 'users', 'pomerium.io/DirectoryUser'] as const),
  directoryGroups: Object.freeze([
    'directory/groups',
    'groups',
    'pomerium.io/DirectoryGroup',
  ] as const),
  namespaces: Object.freeze([
    'namespaces',
    'type.googleapis.com/pomerium.dashboard.Namespace',
  ] as const),
});

/** What one option reads, for messages: `service-account`, `directory user`, ... */
const WHAT: Record<keyof typeof RECORD_TYPES, string> = {
  serviceAccounts: 'service-account',
  directory: 'directory user',
  directoryGroups: 'directory group',
  namespaces: 'namespace',
};

/**
 * The record type an option reads from the source's current copy: `undefined` for a copy
 * without types (it serves every option), else the first of the option's names that the
 * archive holds.
 *
 * @throws {Error} When the archive holds none of them: the option's records are missing, which
 *   is a broken source (503), not an empty one (every account unknown).
 */
export function recordTypeFor(
  source: RecordsSource,
  option: keyof typeof RECORD_TYPES,
): string | undefined {
  const types = source.recordTypes;
  if (types === undefined) return undefined;
  const names = RECORD_TYPES[option];
  for (const name of names) if (types.includes(name)) return name;
  throw new Error(
    `the archive holds no ${WHAT[option]} records (${names.map((n) => JSON.stringify(n)).join(' or ')}); it holds ${
      types.length === 0 ? 'none' : types.map((t) => JSON.stringify(t)).join(', ')
    }`,
  );
}

/**
 * Like {@link recordTypeFor}, for records an option can do without (directory groups): the
 * option's first name the archive holds, else `undefined`; `null` for a copy without types.
 */
export function optionalRecordType(
  source: RecordsSource,
  option: keyof typeof RECORD_TYPES,
): string | null | undefined {
  const types = source.recordTypes;
  if (types === undefined) return null;
  return RECORD_TYPES[option].find((name) => types.includes(name));
}

/**
 * Refuses an archive whose types name one option twice.
 *
 * @throws {Error} Naming both types.
 */
export function checkUnambiguousTypes(types: readonly string[]): void {
  for (const names of Object.values(RECORD_TYPES)) {
    const present = names.filter((name) => types.includes(name));
    if (present.length > 1) {
      throw new Error(
        `the archive holds both ${JSON.stringify(present[0])} and ${JSON.stringify(present[1])}, two names of the same records`,
      );
    }
  }
}
