import { visibleTo } from '../domain/partnerAccess.ts';
import { IMAGE_ROLES } from '../domain/Submission.ts';
import { type ConfirmOutcome, confirmUploads } from '../domain/submissionLifecycle.ts';
import type { ImageRole } from '../scoring/ScoringEngine.ts';
import type { ProcessingQueue } from './createProcessingQueue.ts';
import type { FlowDeps } from './FlowDeps.ts';
import { scheduleProcessing } from './scheduleProcessing.ts';
import { uploadKey } from './uploadKey.ts';

export type ConfirmAnswer = ConfirmOutcome | { kind: 'not-found' };

/**
 * "Confirm Upload": check both images are in the bucket, move to PROCESSING
 * and schedule exactly one scoring job. The PROCESSING record is durable before
 * the job is scheduled, so a crash right after the 202 resumes the job on start.
 */
export async function confirmSubmission(
  deps: FlowDeps,
  queue: ProcessingQueue,
  partnerId: string,
  correlationId: string,
): Promise<ConfirmAnswer> {
  const submission = visibleTo(deps.submissions.get(correlationId), partnerId);
  if (!submission) return { kind: 'not-found' };
  const uploads: Partial<Record<ImageRole, string>> = {};
  for (const role of IMAGE_ROLES) {
    const head = await deps.objects.head(uploadKey(correlationId, role));
    if (head) uploads[role] = head.etag;
  }
  // Re-read after the awaits: a concurrent confirm may have won the race meanwhile.
  const current = deps.submissions.get(correlationId) ?? submission;
  const outcome = confirmUploads(current, uploads, deps.clockFor(partnerId).now());
  if (outcome.kind === 'started') {
    await deps.submissions.put(correlationId, outcome.submission);
    scheduleProcessing(deps, queue, outcome.submission);
  }
  return outcome;
}
