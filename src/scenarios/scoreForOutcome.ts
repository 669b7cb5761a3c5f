import type { Outcome, Thresholds } from '../domain/outcome.ts';

/**
 * A scenario that asks for an outcome gets a score inside the partner's band
 * for it — the middle of the band, so it stays there whatever rounding a
 * partner applies — because the same name must mean the same outcome for a
 * partner with thresholds 85/72 as for one with 80/70.
 */
export function scoreForOutcome(outcome: Outcome, thresholds: Thresholds): number {
  switch (outcome) {
    case 'Success':
      return Math.floor((thresholds.success + 100) / 2);
    case 'Review':
      return Math.floor((thresholds.review + thresholds.success - 1) / 2);
    case 'Fail':
      return Math.max(1, Math.floor(thresholds.review / 2));
    case 'ERROR':
      return 0;
  }
}
