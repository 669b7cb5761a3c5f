import { visibleTo } from '../domain/partnerAccess.ts';
import type { Submission } from '../domain/Submission.ts';
import type { FlowDeps } from './FlowDeps.ts';

/**
 * "Status Polling". A scenario that completes after N polls counts each poll that sees
 * PROCESSING; the N-th makes scoring due, so a poll soon after sees the end.
 */
export async function pollSubmission(
  deps: FlowDeps,
  partnerId: string,
  correlationId: string,
): Promise<Submission | undefined> {
  const submission = visibleTo(await deps.store.submissions.get(correlationId), partnerId);
  if (submission?.status !== 'PROCESSING') return submission;
  const afterPolls = deps.scenarioOf(submission)?.completion?.afterPolls;
  if (afterPolls !== undefined) {
    const [polls = 0] = await deps.store.scenarios.count(correlationId, ['polls']);
    if (polls >= afterPolls) {
      await deps.store.submissions.dueProcessing(correlationId, await deps.clocks.now(partnerId));
    }
  }
  return submission;
}
