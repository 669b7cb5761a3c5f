/**
 * Outcome from score and thresholds, as the scoring seed defines it: Success at
 * or above the success threshold, Review at or above the review threshold, Fail
 * below it. A score of 0 is inconclusive (no face, unreadable anchor, engine
 * error) and must never be read as a confirmed mismatch, so it maps to ERROR.
 */
export type Outcome = 'Success' | 'Review' | 'Fail' | 'ERROR';

export interface Thresholds {
  success: number;
  review: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { success: 80, review: 70 };

export function outcomeFor(score: number, thresholds: Thresholds): Outcome {
  if (!Number.isInteger(score) || score <= 0 || score > 100) return 'ERROR';
  if (score >= thresholds.success) return 'Success';
  if (score >= thresholds.review) return 'Review';
  return 'Fail';
}
