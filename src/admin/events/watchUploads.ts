import type { ObjectStore } from '../../bucket/ObjectStore.ts';
import type { AdminEvent } from './AdminEvents.ts';

/**
 * The bucket's object store, announcing an accepted upload as a change of the submission it
 * belongs to: the upload changes what the admin submission shows, though not its record.
 */
export function watchUploads(
  objects: ObjectStore,
  ownerOf: (key: string) => { correlationId: string; partnerId: string } | undefined,
  publish: (event: AdminEvent) => void,
): ObjectStore {
  return {
    get: (key) => objects.get(key),
    head: (key) => objects.head(key),
    delete: (key) => objects.delete(key),
    keys: () => objects.keys(),
    async put(key, bytes, meta) {
      await objects.put(key, bytes, meta);
      const owner = ownerOf(key);
      if (owner) publish({ kind: 'submission', ...owner });
    },
  };
}
