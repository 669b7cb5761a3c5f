import type { RecordStore } from '../store/RecordStore.ts';

/**
 * A view of a record store in which expired records are already gone: reads
 * between two sweeps must not show what the retention policy has deleted.
 * Writes and deletes pass through.
 */
export function expiringRecords<T>(store: RecordStore<T>, expired: (record: T) => boolean): RecordStore<T> {
  const live = (record: T | undefined) => (record === undefined || expired(record) ? undefined : record);
  return {
    get: (key) => live(store.get(key)),
    put: (key, record) => store.put(key, record),
    delete: (key) => store.delete(key),
    values: () => store.values().filter((record) => !expired(record)),
    keys: () => store.keys().filter((key) => live(store.get(key)) !== undefined),
  };
}
