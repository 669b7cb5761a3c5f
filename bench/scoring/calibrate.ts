/**
 * Fit the distance → score mapping on the dev set and store it in models/manifest.json
 * under `calibration.<engine identity>` (read-modify-write: the converter owns the
 * rest of the file).
 *
 *   npx tsx bench/scoring/calibrate.ts [--pairs FILE.tsv] [--manifest models/manifest.json]
 *        [--set faceapi|<byo set>] [--models-manifest FILE] [--no-bands] [--dump FILE.tsv] [--dry-run]
 *
 * Photo knots: the labelled genuine pairs and every cross-identity pair of original photos.
 * Quality bands (unless --no-bands): every original photo against every other image of the
 * set degraded as a document (BAND_DEGRADATIONS, generated in memory), plus the photo pairs;
 * each comparison falls in the first band (BANDS) its worse image meets, and each band's 80
 * and 70 knots hold the false-accept targets on every degradation in it. Distances are the
 * engine's own. `--dump` writes every comparison (source, same, distance, face size,
 * sharpness) for choosing bands.
 *
 * `--models-manifest` names the manifest the model set comes from (a partner's BYO file);
 * the calibration is still written to `--manifest`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type {
  BandFigures,
  Calibration,
  CalibrationBand,
  PairQuality,
} from '../../src/scoring/onnx/calibration.ts';
import { bandFor, pairQuality, scoreFromDistance } from '../../src/scoring/onnx/calibration.ts';
import { createOnnxEngine } from '../../src/scoring/onnx/createOnnxEngine.ts';
import { fitCalibration } from '../../src/scoring/onnx/fitCalibration.ts';
import { DEFAULT_MANIFEST_PATH } from '../../src/scoring/onnx/loadModelSet.ts';
import { areaUnderCurve, summariseScores } from '../../src/scoring/onnx/verificationMetrics.ts';
import type { FaceBox } from '../../src/scoring/ScoringEngine.ts';
import { DEGRADATIONS, type Degrade } from './degradations.ts';
import { type DescribedImage, describeImages, scorePair } from './describeImages.ts';
import { DEV_PAIRS, readPairsFile } from './devPairs.ts';

/**
 * Bands, first match wins; chosen on the dev set's comparisons (docs/scoring.md,
 * "Quality-aware calibration"). `sharpnessBelow` is the Laplacian variance on the 112 chip
 * (`quality.sharpness`), `faceSizeBelow` the face's shorter side in upload pixels.
 */
export const BANDS: Pick<CalibrationBand, 'name' | 'when'>[] = [
  { name: 'soft', when: { sharpnessBelow: 150 } },
];

/** The documents the bands are fitted on (names in degradations.ts). */
export const BAND_DEGRADATIONS = [
  'face 60 px',
  'face 40 px',
  'JPEG q20 + face 60 px',
  'blur σ = face/40',
  'face 40 px + blur σ = face/40',
  'ID card (face 56 px)',
  'document-style (card, face 50 px, desaturated, blur σ 0.8, JPEG q30)',
];

const { values } = parseArgs({
  options: {
    pairs: { type: 'string', default: DEV_PAIRS },
    manifest: { type: 'string', default: DEFAULT_MANIFEST_PATH },
    'models-manifest': { type: 'string' },
    set: { type: 'string' },
    'no-bands': { type: 'boolean', default: false },
    dump: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
  },
});
const pairsFile = resolve(values.pairs);
const manifestPath = resolve(values.manifest);
const modelsManifest = resolve(values['models-manifest'] ?? manifestPath);

const engine = await createOnnxEngine({
  manifestPath: modelsManifest,
  ...(values.set ? { modelSet: values.set } : {}),
});
/** The stored map as the engine had it, for the "before" figures. */
const previous = engine.calibration;
const pairs = readPairsFile(pairsFile);
const images = [...new Set(pairs.flatMap((p) => [p.pathA, p.pathB]))];
const faces = new Map<string, FaceBox | null>();
process.stderr.write(`describing ${images.length} photos\n`);
const photos = await describeImages(engine, images, DEGRADATIONS.original as Degrade, faces);
const metric = engine.calibration.metric;
const distance = (a: DescribedImage | undefined, b: DescribedImage | undefined) =>
  scorePair(previous, a, b).distance;
const identityOf = (path: string) => relative(resolve(pairsFile, '..'), path).split('/')[0];

interface Comparison {
  source: string;
  same: boolean;
  distance: number;
  quality: PairQuality | undefined;
}

const labelled = pairs.filter((p) => p.same !== undefined);
const labelledDistance = new Map<(typeof labelled)[number], number>();
for (const p of labelled) labelledDistance.set(p, distance(photos.get(p.pathA), photos.get(p.pathB)));
const genuine = labelled.filter((p) => p.same).map((p) => labelledDistance.get(p) as number);
// Every cross-identity image pair, not only the labelled impostors: thousands of comparisons
// instead of 172 make the 0.1 % tail estimate mean something.
const comparisons: Comparison[] = [];
compareAll('photo', photos, 'upper');
const impostorAll = comparisons.filter((c) => !c.same).map((c) => c.distance);
const fitted = fitCalibration(engine.identity, metric, genuine, impostorAll);

const bands: CalibrationBand[] = [];
if (!values['no-bands']) {
  for (const name of BAND_DEGRADATIONS) {
    const degrade = DEGRADATIONS[name];
    if (!degrade) throw new Error(`unknown degradation "${name}" in BAND_DEGRADATIONS`);
    process.stderr.write(`${name}…\n`);
    compareAll(name, await describeImages(engine, images, degrade, faces), 'all');
  }
  if (values.dump) {
    const lines = comparisons.map((c) =>
      [c.source, c.same ? 1 : 0, c.distance, c.quality?.faceSizePx, c.quality?.sharpness].join('\t'),
    );
    writeFileSync(values.dump, `source\tsame\tdistance\tsize\tsharpness\n${lines.join('\n')}\n`);
  }
  const members = new Map<string, Comparison[]>(BANDS.map((b) => [b.name, []]));
  const draft: Calibration = { ...fitted, bands: BANDS.map((b) => ({ ...b, knots: [] })) };
  for (const c of comparisons) {
    const band = bandFor(draft, c.quality);
    if (band) members.get(band.name)?.push(c);
  }
  for (const def of BANDS) {
    const inBand = members.get(def.name) ?? [];
    const impostors = inBand.filter((c) => !c.same);
    const bySource = groupBy(impostors, (c) => c.source);
    const knots = fitCalibration(
      engine.identity,
      metric,
      inBand.filter((c) => c.same).map((c) => c.distance),
      impostors.map((c) => c.distance),
      undefined,
      {
        impostorGroups: [...bySource.values()]
          .filter((g) => g.length >= 1000)
          .map((g) => g.map((c) => c.distance)),
        empiricalTail: true,
      },
    ).knots;
    // A band is only ever stricter: above 80 its genuine median (a degraded pair's) would
    // otherwise give a soft pair a higher score than a sharp pair at the same distance.
    const capped = knots.map(([d, s]): [number, number] => [
      Math.min(d, distanceForScore(fitted.knots, s)),
      s,
    ]);
    bands.push({ ...def, knots: capped, figures: bandFigures(inBand, { ...fitted, knots: capped }) });
  }
}

const calibrationKnots: Calibration = { ...fitted, ...(bands.length ? { bands } : {}) };
const photoScored = labelled.map((p) => ({
  score: scoreOf(
    {
      distance: labelledDistance.get(p) as number,
      quality: pairQuality(photos.get(p.pathA)?.face, photos.get(p.pathB)?.face),
    },
    calibrationKnots,
  ),
  same: !!p.same,
}));
const summary = summariseScores(photoScored);
const missed = [...photos.values()].filter((d) => !d).length;
const calibration: Calibration = {
  ...calibrationKnots,
  fittedAt: new Date().toISOString(),
  figures: {
    pairsFile: relative(process.cwd(), pairsFile),
    genuinePairs: summary.genuine,
    impostorPairs: summary.impostor,
    impostorComparisons: impostorAll.length,
    missedFaces: missed,
    auc: round(
      areaUnderCurve(
        genuine.map((d) => -d),
        labelled.filter((p) => !p.same).map((p) => -(labelledDistance.get(p) as number)),
      ),
    ),
    far80: round(summary.far80),
    frr80: round(summary.frr80),
    far70: round(summary.far70),
    frr70: round(summary.frr70),
  },
};
const photoImpostors = comparisons.filter((c) => c.source === 'photo' && !c.same);
const farAll = (t: number) =>
  photoImpostors.filter((c) => scoreOf(c, calibration) >= t).length / photoImpostors.length;
const table = [90, 80, 75, 70, 60, 50].map((t) => ({
  score: `≥ ${t}`,
  falseAcceptAllCrossPairs: pct(farAll(t)),
  falseAcceptPairsTsv: pct(photoScored.filter((p) => !p.same && p.score >= t).length / summary.impostor),
  genuineAccepted: pct(photoScored.filter((p) => p.same && p.score >= t).length / summary.genuine),
}));
process.stdout.write(`${JSON.stringify(calibration, null, 2)}\n`);
console.table(table);
if (bands.length) {
  // Per degradation: how the bands and the photo-only map (before) treat its comparisons.
  const rows = [...groupBy(comparisons, (c) => c.source)].map(([source, list]) => {
    const f = bandFigures(list, calibration);
    return {
      documents: source,
      'genuine ≥ 80 before': pct(f.genuineSuccessBefore),
      'genuine ≥ 80': pct(f.genuineSuccess),
      'impostors ≥ 70 before': pct(f.far70Before),
      'impostors ≥ 70': pct(f.far70),
      'impostors ≥ 80 before': pct(f.far80Before),
      'impostors ≥ 80': pct(f.far80),
    };
  });
  console.table(rows);
}
if (!values['dry-run']) {
  // Re-read just before writing so a converter run in between is not undone.
  const current = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
  const next = {
    ...current,
    calibration: {
      ...((current.calibration as Record<string, unknown>) ?? {}),
      [engine.identity]: calibration,
    },
  };
  const temp = `${manifestPath}.calibrate-${process.pid}`;
  writeFileSync(temp, `${JSON.stringify(next, null, 2)}\n`);
  renameSync(temp, manifestPath);
  // Keep the file in Biome's layout so the diff shows only the calibration.
  try {
    execFileSync('npx', ['biome', 'format', '--write', manifestPath], { stdio: 'ignore' });
  } catch {
    process.stderr.write('biome format failed; run `npx biome format --write models/manifest.json`\n');
  }
  process.stderr.write(`stored calibration.${engine.identity} in ${manifestPath}\n`);
}
await engine.close();

/**
 * Original photos against `others` (the same photos, or degraded as documents): `upper`
 * takes each unordered pair once, `all` every ordered pair of two different images.
 */
async function compareAll(
  source: string,
  others: Map<string, DescribedImage | undefined>,
  which: 'upper' | 'all',
) {
  for (let i = 0; i < images.length; i++) {
    for (let j = which === 'upper' ? i + 1 : 0; j < images.length; j++) {
      if (i === j) continue;
      const a = images[i] as string;
      const b = images[j] as string;
      const pa = photos.get(a);
      const ob = others.get(b);
      comparisons.push({
        source,
        same: identityOf(a) === identityOf(b),
        distance: distance(pa, ob),
        quality: pairQuality(pa?.face, ob?.face),
      });
    }
  }
}

function bandFigures(list: Comparison[], cal: Calibration): BandFigures {
  const gen = list.filter((c) => c.same);
  const imp = list.filter((c) => !c.same);
  const share = (xs: Comparison[], t: number, scored: (c: Comparison) => number) =>
    round(xs.filter((c) => scored(c) >= t).length / Math.max(1, xs.length));
  const after = (c: Comparison) => scoreOf(c, cal);
  const before = (c: Comparison) => scoreOf({ distance: c.distance }, { ...previous, bands: [] });
  return {
    genuineComparisons: gen.length,
    impostorComparisons: imp.length,
    far80: share(imp, 80, after),
    far70: share(imp, 70, after),
    genuineSuccess: share(gen, 80, after),
    far80Before: share(imp, 80, before),
    far70Before: share(imp, 70, before),
    genuineSuccessBefore: share(gen, 80, before),
  };
}

function scoreOf(c: { distance: number; quality?: PairQuality | undefined }, cal: Calibration): number {
  return Number.isFinite(c.distance) ? scoreFromDistance(cal, c.distance, c.quality) : 0;
}
/** Where a knot list reaches `score` (the largest such distance), by its straight lines. */
function distanceForScore(knots: [number, number][], score: number): number {
  for (let i = 1; i < knots.length; i++) {
    const [d0, s0] = knots[i - 1] as [number, number];
    const [d1, s1] = knots[i] as [number, number];
    if (score <= s0 && score >= s1) return s0 === s1 ? d1 : d0 + ((d1 - d0) * (s0 - score)) / (s0 - s1);
  }
  return Number.POSITIVE_INFINITY;
}
/** Map.groupBy arrived in Node 21; Node 20 is supported. */
function groupBy<T>(list: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of list) {
    const k = key(item);
    const group = out.get(k);
    if (group) group.push(item);
    else out.set(k, [item]);
  }
  return out;
}
function pct(v: number): string {
  return `${(v * 100).toFixed(2)} %`;
}
function round(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}
