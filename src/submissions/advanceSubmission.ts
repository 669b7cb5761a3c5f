import type { Submission } from '../domain/Submission.ts';
import type { ProcessingQueue } from './createProcessingQueue.ts';
import type { FlowDeps } from './FlowDeps.ts';

export type AdvanceAnswer =
  | { kind: 'advanced'; submission: Submission }
  | { kind: 'not-found' }
  | { kind: 'not-processing'; submission: Submission };

/**
 * Ends processing now, whatever the scenario's timing (the admin API's answer
 * to `stuck`): the job runs and the answer is the finished submission.
 */
export async function advanceSubmission(
  deps: FlowDeps,
  queue: ProcessingQueue,
  correlationId: string,
): Promise<AdvanceAnswer> {
  const submission = deps.submissions.get(correlationId);
  if (!submission) return { kind: 'not-found' };
  if (submission.status !== 'PROCESSING') return { kind: 'not-processing', submission };
  await queue.enqueue(correlationId);
  return { kind: 'advanced', submission: deps.submissions.get(correlationId) ?? submission };
}
