/** A record in Pomerium's external-data format: an object with a string `id`. */
export type RawRecord = Readonly<Record<string, unknown>> & { readonly id: string };

/**
 * Records loaded from code, a file or an HTTP(S) URL in Pomerium's external-data format,
 * kept fresh in the background. The last good copy is kept when a reload fails.
 */
export interface RecordsSource {
  /** Brand, so options can tell a source from a lookup function. */
  readonly kind: 'records-source';
  /** Resolves once the first load has finished (successfully or not). */
  ready(): Promise<void>;
  /** The record with this id, from the last good copy. */
  get(id: string): RawRecord | undefined;
  /** Every record of the last good copy. */
  all(): readonly RawRecord[];
  /** Increments whenever a new copy is taken. */
  readonly version: number;
  /** Stops reloading. */
  close(): void;
}
