/**
 * A keyed store of JSON records. Submissions and idempotency answers both live
 * in one: in memory by default, in a directory (one file per record) when the
 * server runs with --data-dir, so a restart loses nothing already accepted.
 */
export interface RecordStore<T> {
  get(key: string): T | undefined;
  /** Resolves once the record is durable (written and renamed into place when on disk). */
  put(key: string, record: T): Promise<void>;
  values(): T[];
}

export function createMemoryRecordStore<T>(): RecordStore<T> {
  const records = new Map<string, T>();
  return {
    get: (key) => records.get(key),
    put: async (key, record) => {
      records.set(key, record);
    },
    values: () => [...records.values()],
  };
}
