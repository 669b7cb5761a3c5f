import { visibleTo } from '../domain/partnerAccess.ts';
import type { Submission } from '../domain/Submission.ts';
import type { ProcessingQueue } from './createProcessingQueue.ts';
import type { FlowDeps } from './FlowDeps.ts';

/**
 * "Status Polling". A scenario that completes after N polls counts each poll
 * that sees PROCESSING; the N-th starts the job, so the next poll sees the end.
 */
export function pollSubmission(
  deps: FlowDeps,
  queue: ProcessingQueue,
  partnerId: string,
  correlationId: string,
): Submission | undefined {
  const submission = visibleTo(deps.submissions.get(correlationId), partnerId);
  if (submission?.status !== 'PROCESSING') return submission;
  const afterPolls = deps.scenarioOf(submission)?.completion?.afterPolls;
  if (afterPolls !== undefined && deps.scenarioRuntime.countPoll(correlationId) >= afterPolls) {
    void queue.enqueue(correlationId);
  }
  return submission;
}
