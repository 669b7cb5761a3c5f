import type { Calibration } from './calibration.ts';
import type { DistanceMetric } from './FaceRecognizer.ts';

export interface CalibrationTargets {
  /** Highest share of impostor comparisons allowed to reach 80. */
  far80: number;
  /** Highest share allowed to reach 70. */
  far70: number;
}

export const SEED_TARGETS: CalibrationTargets = { far80: 0.001, far70: 0.01 };

/** How a quality band is fitted (photo knots use neither). */
export interface BandFitOptions {
  /**
   * Subsets of the impostors (kinds of degradation) that must each meet the targets on
   * their own: the 80 and 70 knots take the strictest. A band mixes kinds, and a mild kind
   * must not buy a harsh one more false accepts than the targets allow.
   */
  impostorGroups?: number[][];
  /**
   * Use the empirical quantiles alone, without the normal-tail guard. Right when each
   * group holds well over 10 000 comparisons (the 1 % quantile then rests on 100+ of
   * them); the guard, fitted to a skewed tail, cost a fifth of genuine Success on blur.
   */
  empiricalTail?: boolean;
}

/**
 * Fit the distance → score knots from genuine and impostor distances.
 *
 * The 80 and 70 knots sit at the impostor distance quantiles the seed's false-accept
 * targets allow. With a few thousand impostor comparisons the 0.1 % empirical quantile
 * rests on a handful of pairs, so each knot takes the lower (stricter) of the
 * empirical quantile and a normal-tail estimate (mean − z·sd). Above 80 the score
 * climbs linearly to 100 at distance 0 through the genuine median at 90; below 70 it
 * falls to 20 at the impostor median and to 1 at the largest impostor distance.
 */
export function fitCalibration(
  engine: string,
  metric: DistanceMetric,
  genuine: number[],
  impostor: number[],
  targets: CalibrationTargets = SEED_TARGETS,
  options: BandFitOptions = {},
): Calibration {
  const imp = [...impostor].filter(Number.isFinite).sort((a, b) => a - b);
  const gen = [...genuine].filter(Number.isFinite).sort((a, b) => a - b);
  if (imp.length < 20 || gen.length < 10) throw new Error('too few comparisons to fit a calibration');
  const tailOf = (sorted: number[], far: number, z: number) => {
    if (options.empiricalTail) return quantile(sorted, far);
    const m = sorted.reduce((s, v) => s + v, 0) / sorted.length;
    const sd = Math.sqrt(sorted.reduce((s, v) => s + (v - m) ** 2, 0) / (sorted.length - 1));
    return Math.min(quantile(sorted, far), m - z * sd);
  };
  const groups = [
    imp,
    ...(options.impostorGroups ?? []).map((g) => g.filter(Number.isFinite).sort((a, b) => a - b)),
  ].filter((g) => g.length >= 20);
  const tail = (far: number, z: number) => Math.min(...groups.map((g) => tailOf(g, far, z)));
  const d80 = tail(targets.far80, 3.09);
  let d70 = tail(targets.far70, 2.326);
  if (d70 <= d80) d70 = d80 + 1e-3;
  const genMedian = quantile(gen, 0.5);
  const impMedian = quantile(imp, 0.5);
  const impMax = imp[imp.length - 1] as number;
  const knots: [number, number][] = [[0, 100]];
  if (genMedian > 0 && genMedian < d80) knots.push([genMedian, 90]);
  knots.push([d80, 80], [d70, 70]);
  if (impMedian > d70) knots.push([impMedian, 20]);
  knots.push([Math.max(impMax, (knots[knots.length - 1] as [number, number])[0] + 1e-3), 1]);
  return { engine, metric, knots: knots.map(([d, s]) => [round(d), s]) };
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

function round(v: number): number {
  return Math.round(v * 1e5) / 1e5;
}
