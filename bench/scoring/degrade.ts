/**
 * Resolution resilience: how the engine copes when the document side of each dev pair
 * is degraded the way real document portraits are. Degraded images are generated in
 * memory at run time and never kept (the dev photos are third-party); the JPEG 2000 rows
 * pass through a private temporary folder for opj_compress and need libopenjp2-tools.
 *
 *   npx tsx bench/scoring/degrade.ts [--pairs FILE.tsv] [--set NAME] [--models FILE] [--only "a,b"]
 *
 * For each degradation: detection rate on the degraded images, then over ALL pairs
 * (selfie = original `a`, document = degraded `b`; a missed face is a non-match) AUC,
 * accuracy at 80 and 70, false accepts and false rejects, scored as the engine scores
 * (a pair whose worse image falls in a quality band gets that band's knots). The
 * "… before" columns score the same distances on the photo knots alone, as before bands.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createOnnxEngine } from '../../src/scoring/onnx/createOnnxEngine.ts';
import { readPairsFile } from '../../src/scoring/onnx/pairsFile.ts';
import { summariseScores } from '../../src/scoring/onnx/verificationMetrics.ts';
import type { FaceBox } from '../../src/scoring/ScoringEngine.ts';
import { DEGRADATIONS, type Degrade } from './degradations.ts';
import { describeImages, scorePair } from './describeImages.ts';
import { DEV_PAIRS } from './devPairs.ts';

const { values } = parseArgs({
  options: {
    pairs: { type: 'string', default: DEV_PAIRS },
    set: { type: 'string' },
    models: { type: 'string' },
    /** Comma-separated degradation names to run (default: all). */
    only: { type: 'string' },
  },
});
const pairs = readPairsFile(resolve(values.pairs)).filter((p) => p.same !== undefined);
const engine = await createOnnxEngine({
  ...(values.models ? { manifestPath: resolve(values.models) } : {}),
  ...(values.set ? { modelSet: values.set } : {}),
});

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? Number.NaN;
const images = [...new Set(pairs.flatMap((p) => [p.pathA, p.pathB]))];
const faces = new Map<string, FaceBox | null>();
const original = await describeImages(engine, images, DEGRADATIONS.original as Degrade, faces);
const rows: Record<string, string>[] = [];
const wanted = values.only?.split(',').map((n) => n.trim());
for (const [name, degrade] of Object.entries(DEGRADATIONS)) {
  if (wanted && name !== 'original' && !wanted.some((w) => name.startsWith(w))) continue;
  process.stderr.write(`${name}…\n`);
  const started = Date.now();
  const degraded = name === 'original' ? original : await describeImages(engine, images, degrade, faces);
  const described = [...degraded.values()].filter((d) => d !== undefined);
  const scored = pairs.map((p) => ({
    same: !!p.same,
    ...scorePair(engine.calibration, original.get(p.pathA), degraded.get(p.pathB)),
  }));
  const s = summariseScores(scored);
  const before = summariseScores(scored.map((p) => ({ score: p.photoKnotsScore, same: p.same })));
  const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
  rows.push({
    degradation: name,
    'faces found': `${described.length}/${images.length}`,
    'LOW_QUALITY flagged': `${described.filter((d) => d.lowQuality).length}`,
    'median sharpness': median(described.map((d) => d.face.quality?.sharpness ?? 0)).toFixed(0),
    AUC: s.auc.toFixed(4),
    'acc @80': pct(s.accuracyAt80),
    'acc @70': pct(s.accuracyAt70),
    'FAR @80': pct(s.far80),
    'FAR @80 before': pct(before.far80),
    'FRR @80': pct(s.frr80),
    'FRR @80 before': pct(before.frr80),
    'FAR @70': pct(s.far70),
    'FAR @70 before': pct(before.far70),
    'FRR @70': pct(s.frr70),
    'FRR @70 before': pct(before.frr70),
    s: ((Date.now() - started) / 1000).toFixed(0),
  });
}
process.stdout.write(`${pairs.length} pairs, document side degraded; engine ${engine.identity}\n`);
console.table(rows);
await engine.close();
