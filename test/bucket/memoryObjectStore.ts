import type { ObjectMeta, ObjectStore, StoredObject } from './ObjectStore.ts';
import { assertObjectKey } from './objectKey.ts';

/** The default store: fast, and gone on restart. It applies the same key rules as the directory store, so switching stores never changes which keys work. */
export function createMemoryObjectStore(now: () => Date = () => new Date()): ObjectStore {
  const objects = new Map<string, StoredObject>();
  return {
    async put(key, bytes, meta) {
      assertObjectKey(key);
      // Copies both ways: a caller reusing its buffer must not change what is stored, or the reverse.
      objects.set(key, {
        bytes: Buffer.from(bytes),
        contentType: meta.contentType,
        etag: meta.etag,
        size: bytes.length,
        storedAt: now(),
      });
    },
    async get(key) {
      assertObjectKey(key);
      const object = objects.get(key);
      return object
        ? { ...object, bytes: Buffer.from(object.bytes), storedAt: new Date(object.storedAt) }
        : null;
    },
    async head(key): Promise<ObjectMeta | null> {
      assertObjectKey(key);
      const object = objects.get(key);
      if (!object) return null;
      const { bytes: _bytes, ...meta } = object;
      return { ...meta, storedAt: new Date(meta.storedAt) };
    },
    async delete(key) {
      assertObjectKey(key);
      objects.delete(key);
    },
    async keys() {
      return [...objects.keys()];
    },
  };
}
