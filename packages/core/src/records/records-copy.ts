import type { RecordsPayload } from './decode-payload.js';
import type { RawRecord } from './records-source.js';

/** The records of one type, indexed by id. */
interface Indexed {
  byId: Map<string, RawRecord>;
  list: readonly RawRecord[];
}

/**
 * One good load of a records source, indexed for reading: by id, and by record type
 * for an archive. Never changed once built: a reload builds a new copy and swaps it in whole,
 * so a reader never sees half of one load and half of another.
 *
 * @example
 * ```ts
 * const copy = RecordsCopy.of({ archive: false, records });
 * copy.get('u1');
 * ```
 */
export class RecordsCopy {
  /** A copy without records, before the first good load. */
  static readonly EMPTY = RecordsCopy.of({ archive: false, records: [] });

  private constructor(
    /** The untyped records, or `undefined` for an archive. */
    private readonly plain: Indexed | undefined,
    private readonly byType: ReadonlyMap<string, Indexed>,
    /** The archive's record types, `undefined` for a copy without types. */
    readonly types: readonly string[] | undefined,
    /** All records of all types. */
    readonly count: number,
  ) {}

  /**
   * Indexes a payload. Within one type, when several records share an `id`, the last one wins
   * and takes the later position in `all()`.
   */
  static of(payload: RecordsPayload): RecordsCopy {
    if (!payload.archive) {
      const plain = indexed(payload.records);
      return new RecordsCopy(plain, new Map(), undefined, plain.list.length);
    }
    const byType = new Map<string, Indexed>();
    let count = 0;
    for (const [type, records] of payload.types) {
      const index = indexed(records);
      byType.set(type, index);
      count += index.list.length;
    }
    return new RecordsCopy(undefined, byType, Object.freeze([...byType.keys()]), count);
  }

  /** The record with this id: of `type` in an archive (none without a type); any type ignored otherwise. */
  get(id: string, type?: string): RawRecord | undefined {
    const index = this.plain ?? (type === undefined ? undefined : this.byType.get(type));
    return index?.byId.get(id);
  }

  /** Every record: of `type` in an archive (none without a type); any type ignored otherwise. */
  all(type?: string): readonly RawRecord[] {
    const index = this.plain ?? (type === undefined ? undefined : this.byType.get(type));
    return index?.list ?? NONE;
  }
}

const NONE: readonly RawRecord[] = Object.freeze([]);

function indexed(records: readonly RawRecord[]): Indexed {
  const byId = new Map<string, RawRecord>();
  // Delete first, so the surviving record also takes the later position in `all()`.
  for (const record of records) {
    byId.delete(record.id);
    byId.set(record.id, record);
  }
  return { byId, list: Object.freeze([...byId.values()]) };
}
