import type { Submission } from '../domain/Submission.ts';
import type { FlowDeps } from './FlowDeps.ts';

/**
 * When a submission confirmed at `confirmedAt` is scored, on the partner's clock: after the
 * configured processing delay, or as its scenario says: after some seconds, or null when only some
 * polls (see pollSubmission) or an operator's advance end it.
 */
export function processingDueAt(
  deps: Pick<FlowDeps, 'scenarioOf' | 'processingDelayMs'>,
  submission: Submission,
  confirmedAt: Date,
): Date | null {
  const completion = deps.scenarioOf(submission)?.completion;
  if (completion?.manual) return null;
  // A scenario may give both: it ends after the seconds, or sooner when the polls come first.
  if (completion?.afterSeconds !== undefined)
    return new Date(confirmedAt.getTime() + completion.afterSeconds * 1000);
  if (completion?.afterPolls !== undefined) return null;
  return new Date(confirmedAt.getTime() + deps.processingDelayMs);
}
