import type { ObjectStore } from '../bucket/ObjectStore.ts';
import { isExpired } from './isExpired.ts';

/** An object store in which objects older than `ttlSeconds` read as absent, before the sweep removes them. */
export function expiringObjects(store: ObjectStore, ttlSeconds: number, now: () => Date): ObjectStore {
  const live = <M extends { storedAt: Date }>(meta: M | null) =>
    meta && !isExpired(meta.storedAt, ttlSeconds, now()) ? meta : null;
  return {
    put: (key, bytes, meta) => store.put(key, bytes, meta),
    get: async (key) => live(await store.get(key)),
    head: async (key) => live(await store.head(key)),
    delete: (key) => store.delete(key),
    keys: () => store.keys(),
  };
}
