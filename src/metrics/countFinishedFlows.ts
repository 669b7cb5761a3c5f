import type { SubmissionStore } from '../store/SandboxStore.ts';
import type { Metrics } from './Metrics.ts';

/**
 * The submission store, counting each submission once, when the store says it finished it here.
 * Watching the store rather than the flow keeps the flow code free of metrics and counts every
 * path that finishes a submission, whichever module takes it.
 */
export function countFinishedFlows(
  store: SubmissionStore,
  metrics: Pick<Metrics, 'flowFinished'>,
): SubmissionStore {
  return {
    ...store,
    async finish(finished, delivery) {
      const answer = await store.finish(finished, delivery);
      if (answer.kind === 'finished') {
        metrics.flowFinished({ status: finished.status, outcome: finished.result?.outcome ?? null });
      }
      return answer;
    },
  };
}
