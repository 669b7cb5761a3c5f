import type { Submission } from '../domain/Submission.ts';
import { isFinished } from '../domain/submissionLifecycle.ts';
import type { RecordStore } from '../store/RecordStore.ts';
import type { Metrics } from './Metrics.ts';

/**
 * The submission store, counting each submission once when it is first written finished. Watching
 * the store rather than the flow keeps the flow code free of metrics and counts every path that
 * finishes a submission, whichever module takes it.
 */
export function countFinishedFlows(
  store: RecordStore<Submission>,
  metrics: Pick<Metrics, 'flowFinished'>,
): RecordStore<Submission> {
  return {
    get: (key) => store.get(key),
    values: () => store.values(),
    keys: () => store.keys(),
    delete: (key) => store.delete(key),
    async put(key, record) {
      const before = store.get(key);
      await store.put(key, record);
      if (isFinished(record) && !(before && isFinished(before))) {
        metrics.flowFinished({ status: record.status, outcome: record.result?.outcome ?? null });
      }
    },
  };
}
