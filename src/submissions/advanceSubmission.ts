import type { Submission } from '../domain/Submission.ts';
import { ITEM_WAIT_MS } from '../time/PartnerClocks.ts';
import type { FlowDeps } from './FlowDeps.ts';

export type AdvanceAnswer =
  | { kind: 'advanced'; submission: Submission }
  | { kind: 'not-found' }
  | { kind: 'not-processing'; submission: Submission };

/**
 * Ends processing now, whatever the scenario's timing (the admin API's answer to `stuck`): scoring
 * falls due at once, and the answer waits for it, whichever instance runs it.
 */
export async function advanceSubmission(
  deps: Pick<FlowDeps, 'store' | 'clocks'>,
  correlationId: string,
): Promise<AdvanceAnswer> {
  const submission = await deps.store.submissions.get(correlationId);
  if (!submission) return { kind: 'not-found' };
  if (submission.status !== 'PROCESSING') return { kind: 'not-processing', submission };
  const now = await deps.clocks.now(submission.partnerId);
  const due = await deps.store.submissions.dueProcessing(correlationId, now);
  if (due?.status === 'PROCESSING' && due.processDueAt) {
    await deps.store.work.settled(
      {
        kind: 'process',
        id: correlationId,
        partnerId: due.partnerId,
        dueAt: new Date(due.processDueAt),
        revision: due.processDueAt,
      },
      ITEM_WAIT_MS,
    );
  }
  return { kind: 'advanced', submission: (await deps.store.submissions.get(correlationId)) ?? submission };
}
