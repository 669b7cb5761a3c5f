/**
 * A keyed store of JSON records. Submissions and idempotency answers both live
 * in one: in memory by default, in a directory (one file per record) when the
 * server runs with --data-dir, so a restart loses nothing already accepted.
 */
export interface RecordStore<T> {
  get(key: string): T | undefined;
  /** Resolves once the record is durable (written and renamed into place when on disk). */
  put(key: string, record: T): Promise<void>;
  /** Resolves once the record is gone (from disk too); deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  values(): T[];
  keys(): string[];
}

export function createMemoryRecordStore<T>(): RecordStore<T> {
  const records = new Map<string, T>();
  return {
    get: (key) => records.get(key),
    put: async (key, record) => {
      records.set(key, record);
    },
    delete: async (key) => {
      records.delete(key);
    },
    values: () => [...records.values()],
    keys: () => [...records.keys()],
  };
}
