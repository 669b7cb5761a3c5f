import type { Submission } from '../../domain/Submission.ts';
import type { RecordStore } from '../../store/RecordStore.ts';
import type { AdminEvent } from './AdminEvents.ts';

/**
 * The submission store, announcing every write and removal once it is durable: every change of a
 * submission (created, confirmed, completed, callback queued, reset) goes through here.
 */
export function watchSubmissions(
  store: RecordStore<Submission>,
  publish: (event: AdminEvent) => void,
): RecordStore<Submission> {
  return {
    get: (key) => store.get(key),
    values: () => store.values(),
    keys: () => store.keys(),
    async put(key, record) {
      await store.put(key, record);
      publish({ kind: 'submission', correlationId: key, partnerId: record.partnerId });
    },
    async delete(key) {
      const partnerId = store.get(key)?.partnerId;
      await store.delete(key);
      if (partnerId !== undefined) publish({ kind: 'submission', correlationId: key, partnerId });
    },
  };
}
