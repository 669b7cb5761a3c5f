import type { FaceData } from '../ScoringEngine.ts';
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

/** What a band was fitted on and what it gives there (the band's comparisons only). */
export interface BandFigures {
  genuineComparisons: number;
  impostorComparisons: number;
  /** Shares under this calibration: impostors at ≥ 80 and ≥ 70, genuine pairs at ≥ 80. */
  far80: number;
  far70: number;
  genuineSuccess: number;
  /** The same before bands and quality matching: plain distances on the photo knots. */
  far80Before: number;
  far70Before: number;
  genuineSuccessBefore: number;
}

/** The worse of the two images of a pair: the smaller face and the lower sharpness. */
export interface PairQuality {
  faceSizePx: number;
  sharpness: number;
}

/**
 * Knots for pairs whose worse image is poor. A band applies when every limit in `when`
 * holds for the pair's worse image (`faceSizeBelow`: face box shorter side in upload
 * pixels; `sharpnessBelow`: variance of the Laplacian on the 112 chip, as in
 * `quality.sharpness`); the first band that applies wins, and pairs no band takes use
 * the calibration's own knots (fitted on photos).
 */
export interface CalibrationBand {
  name: string;
  when: { faceSizeBelow?: number; sharpnessBelow?: number };
  knots: [distance: number, score: number][];
  figures?: BandFigures;
}

/**
 * A monotone map from descriptor distance to the partner-facing score: straight
 * lines between knots, distances ascending, scores descending. Stored in
 * models/manifest.json under `calibration.<engine identity>`. `bands` (optional; older
 * calibrations and partner sets have none) hold stricter maps for poor images, where
 * impostors' descriptors crowd together.
 */
export interface Calibration {
  engine: string;
  metric: DistanceMetric;
  knots: [distance: number, score: number][];
  bands?: CalibrationBand[];
  fittedAt?: string;
  figures?: CalibrationFigures;
}

export function pairQuality(
  a: FaceData | null | undefined,
  b: FaceData | null | undefined,
): PairQuality | undefined {
  if (!a?.quality || !b?.quality) return undefined;
  return {
    faceSizePx: Math.min(a.sizePx, b.sizePx),
    sharpness: Math.min(a.quality.sharpness, b.quality.sharpness),
  };
}

/** The band a pair of this quality falls in, or undefined for the photo knots. */
export function bandFor(
  calibration: Calibration,
  quality: PairQuality | undefined,
): CalibrationBand | undefined {
  if (!quality) return undefined;
  return calibration.bands?.find(
    ({ when }) =>
      (when.faceSizeBelow === undefined || quality.faceSizePx < when.faceSizeBelow) &&
      (when.sharpnessBelow === undefined || quality.sharpness < when.sharpnessBelow),
  );
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

/**
 * Distance → integer 1–100. Never 0: 0 means "inconclusive" and only comes with a reason.
 * With the pair's quality, a band's knots apply when one takes the pair.
 */
export function scoreFromDistance(calibration: Calibration, distance: number, quality?: PairQuality): number {
  const knots = bandFor(calibration, quality)?.knots ?? calibration.knots;
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
