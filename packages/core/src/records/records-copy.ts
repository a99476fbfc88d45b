import type { RecordsPayload } from './decode-payload.js';
import type { RawRecord } from './records-source.js';

/** The records of one type, indexed by foreign key. */
interface Indexed {
  byKey: Map<string, RawRecord>;
  list: readonly RawRecord[];
}

/**
 * One good load of a records source, indexed for reading: by foreign key, and by record type
 * for an archive. Never changed once built: a reload builds a new copy and swaps it in whole,
 * so a reader never sees half of one load and half of another.
 *
 * @example
 * ```ts
 * const copy = RecordsCopy.of({ archive: false, records }, 'id');
 * copy.get('u1');
 * ```
 */
export class RecordsCopy {
  /** A copy without records, before the first good load. */
  static readonly EMPTY = RecordsCopy.of({ archive: false, records: [] }, 'id');

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
   * and takes the later position in `all()`; when several share a foreign key, `get` finds
   * the last of them. A record whose foreign-key field is missing, empty, or not a string or a
   * finite number is kept in `all()` but found by no key.
   */
  static of(payload: RecordsPayload, foreignKey: string): RecordsCopy {
    if (!payload.archive) {
      const plain = indexed(payload.records, foreignKey);
      return new RecordsCopy(plain, new Map(), undefined, plain.list.length);
    }
    const byType = new Map<string, Indexed>();
    let count = 0;
    for (const [type, records] of payload.types) {
      const index = indexed(records, foreignKey);
      byType.set(type, index);
      count += index.list.length;
    }
    return new RecordsCopy(undefined, byType, Object.freeze([...byType.keys()]), count);
  }

  /** The record with this foreign key: of `type` in an archive (none without a type); any type ignored otherwise. */
  get(key: string, type?: string): RawRecord | undefined {
    const index = this.plain ?? (type === undefined ? undefined : this.byType.get(type));
    return index?.byKey.get(key);
  }

  /** Every record: of `type` in an archive (none without a type); any type ignored otherwise. */
  all(type?: string): readonly RawRecord[] {
    const index = this.plain ?? (type === undefined ? undefined : this.byType.get(type));
    return index?.list ?? NONE;
  }
}

const NONE: readonly RawRecord[] = Object.freeze([]);

function indexed(records: readonly RawRecord[], foreignKey: string): Indexed {
  const byId = new Map<string, RawRecord>();
  // Delete first, so the surviving record also takes the later position in `all()`.
  for (const record of records) {
    byId.delete(record.id);
    byId.set(record.id, record);
  }
  const list = Object.freeze([...byId.values()]);
  if (foreignKey === 'id') return { byKey: byId, list };
  const byKey = new Map<string, RawRecord>();
  for (const record of list) {
    const key = keyOf(record, foreignKey);
    if (key !== undefined) byKey.set(key, record);
  }
  return { byKey, list };
}

/**
 * A record's foreign key: the field's string, or a finite number's string (JSON `"id": 7` is
 * found as `'7'`); `undefined` when the field is missing, empty or anything else.
 *
 * @example
 * ```ts
 * keyOf({ id: 'r1', email: 'a@x.io' }, 'email'); // 'a@x.io'
 * ```
 */
export function keyOf(record: RawRecord, foreignKey: string): string | undefined {
  const value = Object.hasOwn(record, foreignKey) ? record[foreignKey] : undefined;
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
