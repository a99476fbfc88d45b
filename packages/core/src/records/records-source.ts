/** A record in Pomerium's external-data format: an object with a string `id`. */
export type RawRecord = Readonly<Record<string, unknown>> & { readonly id: string };

/**
 * Records loaded from code, a file or an HTTP(S) URL in Pomerium's external-data format,
 * kept fresh in the background. The last good copy is kept when a reload fails.
 *
 * A copy loaded from a tar or zip archive holds several **record types**, named by the paths
 * of the files inside the archive (`service-accounts.json` holds type `service-accounts`); a
 * copy loaded from a single JSON or CSV payload has no type and serves whichever type is asked
 * for. The lookups (`serviceAccountLookup`, `directoryLookup`, `namespaceLookup`) each ask for
 * the type they need, so one archive can feed several options.
 *
 * @example
 * ```ts
 * const source = createRecordsSource({ url: 'https://data.example.com/bundle.tar.gz' });
 * await source.ready();
 * source.recordTypes; // ['service-accounts', 'directory/users']
 * source.get('sa-1', 'service-accounts'); // { id: 'sa-1', user_id: 'bot', ... }
 * ```
 */
export interface RecordsSource {
  /** Brand, so options can tell a source from a lookup function. */
  readonly kind: 'records-source';
  /** Resolves once the first load has finished (successfully or not). */
  ready(): Promise<void>;
  /**
   * The record whose foreign key (the `foreignKey` field, `id` by default) equals `key`, from
   * the last good copy. `type` picks a record type of an archive; a copy without types ignores
   * it. An archive's records are only found when `type` names one of its types.
   */
  get(key: string, type?: string): RawRecord | undefined;
  /** Every record of the last good copy (of record type `type`, for an archive). */
  all(type?: string): readonly RawRecord[];
  /** Increments whenever a new copy is taken. */
  readonly version: number;
  /**
   * The record types of the last good copy when it came from an archive, in archive order;
   * `undefined` when it did not (its records have no type). Absent on sources written by hand:
   * they are read as copies without types.
   */
  readonly recordTypes?: readonly string[] | undefined;
  /** The field that `get` matches. Absent means `id`. */
  readonly foreignKey?: string | undefined;
  /** Stops reloading. */
  close(): void;
}
