import type { Submission } from '../domain/Submission.ts';
import type { ProcessingQueue } from './createProcessingQueue.ts';
import type { FlowDeps } from './FlowDeps.ts';

/**
 * When a confirmed submission is scored, on the partner's clock: after the
 * configured processing delay, or as its scenario says (after some seconds,
 * after some polls — see pollSubmission — or only when advanced by hand).
 * Advancing the partner's clock past the due time runs the job at once.
 */
export function scheduleProcessing(deps: FlowDeps, queue: ProcessingQueue, submission: Submission): void {
  if (submission.status !== 'PROCESSING' || !submission.confirmedAt) return;
  const completion = deps.scenarioOf(submission)?.completion;
  if (completion?.manual) return;
  let delayMs: number | undefined = deps.processingDelayMs;
  if (completion?.afterSeconds !== undefined) delayMs = completion.afterSeconds * 1000;
  else if (completion?.afterPolls !== undefined) delayMs = undefined;
  if (delayMs === undefined) return;
  const due = new Date(Date.parse(submission.confirmedAt) + delayMs);
  deps.clockFor(submission.partnerId).at(due, () => queue.enqueue(submission.correlationId));
}
