import type { Thresholds } from '../domain/outcome.ts';
import type { Submission } from '../domain/Submission.ts';
import type { components } from './generated/admin.ts';

/**
 * The bands to draw a submission's score against: those it was classified with, which a later
 * config change must not rewrite, or before it has a score the partner's current ones.
 */
export function appliedThresholds(
  submission: Submission,
  configured: Thresholds | undefined,
): components['schemas']['AppliedThresholds'] | null {
  const recorded = submission.result?.thresholds;
  if (recorded) return { success: recorded.success, review: recorded.review, source: 'result' };
  if (configured) return { success: configured.success, review: configured.review, source: 'partner' };
  return null;
}
