import type { DistanceMetric } from './FaceRecognizer.ts';

/** Figures the mapping was fitted on, kept next to it so a reader can judge it. */
export interface CalibrationFigures {
  pairsFile: string;
  genuinePairs: number;
  impostorPairs: number;
  /** Impostor comparisons used to fit the tail (all cross-identity image pairs). */
  impostorComparisons: number;
  missedFaces: number;
  auc: number;
  far80: number;
  frr80: number;
  far70: number;
  frr70: number;
}

/**
 * A monotone map from descriptor distance to the partner-facing score: straight
 * lines between knots, distances ascending, scores descending. Stored in
 * models/manifest.json under `calibration.<engine identity>`.
 */
export interface Calibration {
  engine: string;
  metric: DistanceMetric;
  knots: [distance: number, score: number][];
  fittedAt?: string;
  figures?: CalibrationFigures;
}

/**
 * Used until a calibration is fitted for a model set: typical operating points of
 * each descriptor family (face-api's documented 0.6 Euclidean match limit; cosine
 * around 0.5 for ArcFace-style nets). Good enough to run; not what the table in
 * docs/scoring.md promises.
 */
export function defaultCalibration(engine: string, metric: DistanceMetric): Calibration {
  const knots: [number, number][] =
    metric === 'euclidean'
      ? [
          [0, 100],
          [0.45, 80],
          [0.55, 70],
          [0.8, 20],
          [1.2, 1],
        ]
      : [
          [0, 100],
          [0.45, 80],
          [0.55, 70],
          [0.85, 20],
          [1.2, 1],
        ];
  return { engine, metric, knots };
}

/** Distance → integer 1–100. Never 0: 0 means "inconclusive" and only comes with a reason. */
export function scoreFromDistance(calibration: Calibration, distance: number): number {
  const knots = calibration.knots;
  const first = knots[0];
  const last = knots[knots.length - 1];
  if (!first || !last) throw new Error('calibration has no knots');
  let score: number;
  if (distance <= first[0]) score = first[1];
  else if (distance >= last[0]) score = last[1];
  else {
    score = last[1];
    for (let i = 1; i < knots.length; i++) {
      const [d1, s1] = knots[i] as [number, number];
      const [d0, s0] = knots[i - 1] as [number, number];
      if (distance <= d1) {
        score = s0 + ((s1 - s0) * (distance - d0)) / (d1 - d0 || 1);
        break;
      }
    }
  }
  // Floor, not round: a knot at (d, 80) must mean "80 or more exactly when distance ≤ d",
  // otherwise rounding would lift pairs just past the fitted limit into Success.
  return Math.min(100, Math.max(1, Math.floor(score + 1e-9)));
}
