/** One labelled comparison as the partner sees it: score 0 (inconclusive) counts as a non-match. */
export interface LabelledScore {
  score: number;
  same: boolean;
}

export interface VerificationSummary {
  genuine: number;
  impostor: number;
  /** Probability a random genuine pair outscores a random impostor pair (ties count half). */
  auc: number;
  accuracyAt80: number;
  accuracyAt70: number;
  /** Impostor pairs at or above the threshold. */
  far80: number;
  far70: number;
  /** Genuine pairs below the threshold (inconclusive ones included). */
  frr80: number;
  frr70: number;
}

export function summariseScores(scores: LabelledScore[]): VerificationSummary {
  const genuine = scores.filter((s) => s.same).map((s) => s.score);
  const impostor = scores.filter((s) => !s.same).map((s) => s.score);
  const at = (t: number) => {
    const fa = impostor.filter((s) => s >= t).length;
    const fr = genuine.filter((s) => s < t).length;
    return {
      far: impostor.length ? fa / impostor.length : 0,
      frr: genuine.length ? fr / genuine.length : 0,
      accuracy: scores.length ? (scores.length - fa - fr) / scores.length : 0,
    };
  };
  const a80 = at(80);
  const a70 = at(70);
  return {
    genuine: genuine.length,
    impostor: impostor.length,
    auc: areaUnderCurve(genuine, impostor),
    accuracyAt80: a80.accuracy,
    accuracyAt70: a70.accuracy,
    far80: a80.far,
    far70: a70.far,
    frr80: a80.frr,
    frr70: a70.frr,
  };
}

/** AUC for "higher is more similar" values; pass negated distances to use it on distances. */
export function areaUnderCurve(genuine: number[], impostor: number[]): number {
  if (genuine.length === 0 || impostor.length === 0) return Number.NaN;
  const all = [...genuine.map((v) => ({ v, g: true })), ...impostor.map((v) => ({ v, g: false }))].sort(
    (x, y) => x.v - y.v,
  );
  // Mann–Whitney U with average ranks for ties: O(n log n) instead of comparing every pair.
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && (all[j] as { v: number }).v === (all[i] as { v: number }).v) j++;
    const avgRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if ((all[k] as { g: boolean }).g) rankSum += avgRank;
    i = j;
  }
  const n = genuine.length;
  return (rankSum - (n * (n + 1)) / 2) / (n * impostor.length);
}
