import type { ObjectMeta, ObjectStore, StoredObject } from '../../src/bucket/ObjectStore.ts';
import { assertObjectKey } from '../../src/bucket/objectKey.ts';

/**
 * The bucket router's object store in tests: any valid key, in memory. The server's own store is
 * `uploadedImages` (src/submissions/), whose keys are submissions' images; this one lets the
 * router's HTTP behaviour be tested without a submission behind every key. It keeps the port's
 * rules: a bad key is a bug (it throws), bytes are copied both ways, and `put` answers `locked`
 * when `locked(key)` says so at the moment of the write, storing nothing.
 */
export function createMemoryObjectStore(
  options: { now?: () => Date; locked?: (key: string) => boolean } = {},
): ObjectStore {
  const { now = () => new Date(), locked = () => false } = options;
  const objects = new Map<string, StoredObject>();
  return {
    async put(key, bytes, meta) {
      assertObjectKey(key);
      if (locked(key)) return 'locked';
      objects.set(key, {
        bytes: Buffer.from(bytes),
        contentType: meta.contentType,
        etag: meta.etag,
        size: bytes.length,
        storedAt: now(),
      });
      return 'stored';
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
  };
}
