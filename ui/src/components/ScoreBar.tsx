import type { Thresholds } from '../adminApi.ts';

/**
 * The score on a 0–100 bar with the partner's bands: Fail below Review, Review below Success.
 * The drawn bar is decoration; a native meter and the written figures carry the same to everyone.
 */
export function ScoreBar({
  score,
  outcome,
  thresholds,
}: {
  score: number;
  outcome: string;
  thresholds: Thresholds;
}) {
  const { review, success } = thresholds;
  return (
    <div class="score">
      <p class="score-figure">
        <span class="score-number">{score}</span> <span class="muted">/ 100</span>{' '}
        <span class={`badge badge-${outcome.toLowerCase()}`}>{outcome}</span>
      </p>
      <label class="visually-hidden">
        Score, {outcome}
        <meter min={0} max={100} low={review} high={success} optimum={100} value={score} />
      </label>
      <div class="score-bar" aria-hidden="true" data-testid="score-bar">
        <div class="band band-fail" style={{ left: '0%', width: `${review}%` }} />
        <div class="band band-review" style={{ left: `${review}%`, width: `${success - review}%` }} />
        <div class="band band-success" style={{ left: `${success}%`, width: `${100 - success}%` }} />
        <div class="score-marker" style={{ left: `${score}%` }} />
      </div>
      <p class="score-legend">
        Fail below {review} · Review {review}–{success - 1} · Success from {success}
        {score === 0 ? ' · 0 means inconclusive (ERROR), never Fail' : ''}
      </p>
    </div>
  );
}
