import type { DirectoryUser, NamespaceRecord, ServiceAccountRecord } from '../options.js';
import type { RawRecord, RecordsSource } from './records-source.js';
import { foldAsciiCase } from '../lib/fold-ascii-case.js';
import { keyOf } from './records-copy.js';
import { optionalRecordType, recordTypeFor } from './record-types.js';

/**
 * Tells a {@link RecordsSource} from a lookup function, for options that accept either.
 *
 * @example
 * ```ts
 * const lookup = isRecordsSource(options.directory) ? directoryLookup(options.directory) : options.directory;
 * ```
 */
export function isRecordsSource(value: unknown): value is RecordsSource {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'records-source' &&
    typeof (value as { get?: unknown }).get === 'function' &&
    typeof (value as { all?: unknown }).all === 'function'
  );
}

/**
 * Reads service accounts from a records source with Pomerium's field names: `id`, `user_id`
 * (or `userId`), `expires_at` (or `expiresAt`), `namespace_id` (or `namespace`) and
 * `description`. From an archive, it reads the record type `service-accounts` (or
 * `type.googleapis.com/user.ServiceAccount`, see `RECORD_TYPES`); an archive without either
 * makes every lookup throw (503), since the accounts are missing rather than revoked.
 *
 * The account is found by the source's foreign key (`id` unless `foreignKey` says otherwise),
 * which is then its `id`.
 *
 * `expires_at` may be an ISO 8601 date or a number of seconds (or, from 10^11 up, milliseconds)
 * since the epoch, as a number or a string of digits. Empty, `0`, and Go's zero time
 * `0001-01-01T00:00:00Z` mean "never", as an unset expiry does in Pomerium. A record without a
 * user id, or with an expiry that cannot be read, is treated as no record (`null`), so that a
 * damaged record locks its account out rather than making it immortal.
 *
 * @example
 * ```ts
 * // service-accounts.csv:
 * // id,user_id,expires_at,namespace_id,description
 * // sa-1,bot@example.com,2030-01-01T00:00:00Z,ns-1,CI deploys
 * const source = createRecordsSource({ url: '/etc/app/service-accounts.csv' });
 * const lookup = serviceAccountLookup(source);
 * lookup('sa-1'); // { id: 'sa-1', userId: 'bot@example.com', expiresAt: new Date('2030-01-01T00:00:00Z'), namespace: 'ns-1', description: 'CI deploys' }
 * ```
 */
export function serviceAccountLookup(
  source: RecordsSource,
): (id: string) => ServiceAccountRecord | null {
  return (id: string) => {
    const record = source.get(id, recordTypeFor(source, 'serviceAccounts'));
    if (record === undefined) return null;
    const userId = text(record, 'user_id', 'userId');
    if (userId === undefined) return null;
    const expiry = parseExpiry(record['expires_at'] ?? record['expiresAt']);
    if (expiry === 'invalid') return null;
    const account: ServiceAccountRecord = { id, userId };
    if (expiry !== undefined) account.expiresAt = expiry;
    const namespace = text(record, 'namespace_id', 'namespace', 'namespaceId');
    if (namespace !== undefined) account.namespace = namespace;
    const description = text(record, 'description');
    if (description !== undefined) account.description = description;
    return account;
  };
}

/**
 * Reads directory users from a records source: by `id` (exact; the source's foreign key, when
 * it sets one), or else by `email` (case-insensitive). Fields: `id`, `email`, `name` (or
 * Pomerium's `display_name`), and `groups` (or `group_ids`): a JSON array of strings, or a
 * string split on `,` or `;` with whitespace trimmed, as a CSV cell holds it (empty gives `[]`).
 *
 * From an archive, it reads the record type `directory/users` (or `users`, or
 * `pomerium.io/DirectoryUser`, see `RECORD_TYPES`); an archive without any makes every lookup
 * throw (503). When the archive also holds directory groups (`directory/groups`, `groups` or
 * `pomerium.io/DirectoryGroup`, records with `id` and `name`), a user's groups are its group
 * ids followed by those groups' names, as Pomerium lists them in its assertion, so that a rule
 * can name a group either way.
 *
 * The email index is rebuilt lazily, on the first lookup after the source's `version` changed.
 * An email that several records share finds nobody, since it cannot say which user is meant.
 *
 * @example
 * ```ts
 * // users.csv:
 * // id,email,name,groups
 * // u1,Alice@Example.com,Alice,"admins; support"
 * const lookup = directoryLookup(createRecordsSource({ url: '/etc/app/users.csv' }));
 * lookup('alice@example.com'); // { id: 'u1', email: 'Alice@Example.com', name: 'Alice', groups: ['admins', 'support'] }
 * ```
 */
export function directoryLookup(
  source: RecordsSource,
): (idOrEmail: string) => DirectoryUser | null {
  let indexedVersion: number | undefined;
  // `null` marks an email shared by several records.
  let byEmail = new Map<string, RawRecord | null>();
  let groupsVersion: number | undefined;
  let groupNames: Map<string, string> | undefined;

  const emailIndex = (type: string | undefined): Map<string, RawRecord | null> => {
    if (indexedVersion !== source.version) {
      const index = new Map<string, RawRecord | null>();
      for (const record of source.all(type)) {
        const email = (() => {
          const e = text(record, 'email');
          return e === undefined ? undefined : foldAsciiCase(e);
        })();
        if (email === undefined) continue;
        index.set(email, index.has(email) ? null : record);
      }
      byEmail = index;
      indexedVersion = source.version;
    }
    return byEmail;
  };

  /** Group id to name, from the archive's directory groups; `undefined` when it has none. */
  const namesOfGroups = (): Map<string, string> | undefined => {
    if (groupsVersion !== source.version) {
      const type = optionalRecordType(source, 'directoryGroups');
      groupNames = undefined;
      if (typeof type === 'string') {
        groupNames = new Map();
        for (const group of source.all(type)) {
          const name = text(group, 'name');
          if (name !== undefined) groupNames.set(group.id, name);
        }
      }
      groupsVersion = source.version;
    }
    return groupNames;
  };

  return (idOrEmail: string) => {
    if (typeof idOrEmail !== 'string' || idOrEmail === '') return null;
    const type = recordTypeFor(source, 'directory');
    const record =
      source.get(idOrEmail, type) ??
      (idOrEmail.includes('@') ? emailIndex(type).get(foldAsciiCase(idOrEmail)) : undefined);
    if (record === undefined || record === null) return null;
    // Found by email, a record without a foreign key would have no id to give the principal.
    const id = keyOf(record, source.foreignKey ?? 'id');
    if (id === undefined) return null;
    const groups = groupsOf(record['groups'] ?? record['group_ids']);
    const names = namesOfGroups();
    if (names !== undefined) {
      for (const id of [...groups]) {
        const name = names.get(id);
        if (name !== undefined && !groups.includes(name)) groups.push(name);
      }
    }
    const user: DirectoryUser = { id, groups };
    const email = text(record, 'email');
    if (email !== undefined) user.email = email;
    const name = text(record, 'name', 'display_name');
    if (name !== undefined) user.name = name;
    // The record's other fields are the user's claims, for policies' claim/<name> criteria.
    const foreignKey = source.foreignKey ?? 'id';
    const extra = Object.keys(record).filter(
      (key) => key !== foreignKey && !DIRECTORY_FIELDS.has(key),
    );
    if (extra.length > 0) user.claims = Object.fromEntries(extra.map((key) => [key, record[key]]));
    return user;
  };
}

/** The fields a directory record maps to a user; every other field is one of its claims. */
const DIRECTORY_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'email',
  'name',
  'display_name',
  'groups',
  'group_ids',
]);

/**
 * Reads namespaces from a records source, for the `namespaces` option: each record's `id` (the
 * source's foreign key, when it sets one) and its parent's id in `parent_id` (as Pomerium
 * Enterprise's `Namespace` names it) or `parentId`; an empty or missing parent makes a root
 * namespace. From an archive, it reads the record type `namespaces` (or
 * `type.googleapis.com/pomerium.dashboard.Namespace`, see `RECORD_TYPES`); an archive without
 * either makes every lookup throw (503).
 *
 * A lookup returns one namespace; walking up to the root is the caller's, which must bound the
 * walk, since records can name each other as parents in a loop.
 *
 * @example
 * ```ts
 * // namespaces.csv:
 * // id,parent_id,name
 * // root,,Global
 * // ns-eng,root,Engineering
 * const lookup = namespaceLookup(createRecordsSource({ url: '/etc/app/namespaces.csv' }));
 * lookup('ns-eng'); // { id: 'ns-eng', parentId: 'root' }
 * lookup('root'); // { id: 'root' }
 * ```
 */
export function namespaceLookup(source: RecordsSource): (id: string) => NamespaceRecord | null {
  return (id: string) => {
    if (typeof id !== 'string' || id === '') return null;
    const record = source.get(id, recordTypeFor(source, 'namespaces'));
    if (record === undefined) return null;
    const namespace: NamespaceRecord = { id };
    const parentId = text(record, 'parent_id', 'parentId');
    if (parentId !== undefined) namespace.parentId = parentId;
    return namespace;
  };
}

/** The first of `keys` holding a non-empty string. */
function text(record: RawRecord, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = Object.hasOwn(record, key) ? record[key] : undefined;
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

function groupsOf(value: unknown): string[] {
  if (Array.isArray(value)) {
    return value
      .filter((group): group is string => typeof group === 'string' && group.trim() !== '')
      .map((g) => g.trim());
  }
  if (typeof value === 'string') {
    return value
      .split(/[,;]/)
      .map((group) => group.trim())
      .filter((group) => group !== '');
  }
  return [];
}

/** Seconds below this, milliseconds from it (10^11 s is the year 5138, 10^11 ms is 1973). */
const MILLISECONDS_FROM = 1e11;
const GO_ZERO_TIME = /^0001-01-01T00:00:00(?:\.0+)?(?:Z|[+-]00:00)$/;

/** An expiry as a Date, `undefined` for never, `'invalid'` when it cannot be read. */
function parseExpiry(value: unknown): Date | undefined | 'invalid' {
  if (value === undefined || value === null || value === '') return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'invalid' : value;
  let epoch: number | undefined;
  if (typeof value === 'number') epoch = value;
  else if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed === '') return undefined;
    if (/^\d+(?:\.\d+)?$/.test(trimmed)) epoch = Number(trimmed);
    else if (GO_ZERO_TIME.test(trimmed)) return undefined;
    else {
      // Only ISO 8601 dates: Date.parse also takes locale formats that differ between engines.
      if (
        !/^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i.test(
          trimmed,
        )
      )
        return 'invalid';
      // A date and time without a zone is UTC here, not the server's local time.
      const iso = trimmed.replace(' ', 'T');
      const zoned = iso.length <= 10 || /(?:Z|[+-]\d{2}:?\d{2})$/i.test(iso) ? iso : `${iso}Z`;
      const time = Date.parse(zoned);
      return Number.isNaN(time) ? 'invalid' : new Date(time);
    }
  } else return 'invalid';
  if (!Number.isFinite(epoch)) return 'invalid';
  // As Pomerium: an expiry whose year is 1970 or earlier (the epoch, a negative time) never expires.
  if (epoch <= 0) return undefined;
  const date = new Date(epoch >= MILLISECONDS_FROM ? epoch : epoch * 1000);
  return Number.isNaN(date.getTime()) ? 'invalid' : date;
}
