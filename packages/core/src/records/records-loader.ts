import type { RecordsPayload } from './decode-payload.js';

/** What one poll of a records location found. */
export type LoadOutcome = { changed: true; payload: RecordsPayload } | { changed: false };

/**
 * One poll of a records location (a file or an HTTP(S) URL). A loader remembers what it last
 * loaded successfully (an ETag, a file's stat, a digest of the bytes) so that it can answer
 * "unchanged" cheaply; it only remembers a payload after the payload was decoded without error.
 * It rejects on any failure, and when `signal` aborts.
 *
 * @example
 * ```ts
 * const load: RecordsLoader = fileRecordsLoader('/etc/app/users.csv', { maxBytes: 1 << 20 });
 * const outcome = await load(AbortSignal.timeout(10_000));
 * if (outcome.changed) console.log(outcome.payload.archive);
 * ```
 */
export type RecordsLoader = (signal: AbortSignal) => Promise<LoadOutcome>;
