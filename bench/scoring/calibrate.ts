/**
 * Fit the distance → score mapping on the dev set and store it in models/manifest.json
 * under `calibration.<engine identity>` (read-modify-write: the converter owns the
 * rest of the file).
 *
 *   npx tsx bench/scoring/calibrate.ts [--pairs FILE.tsv] [--manifest models/manifest.json]
 *        [--set faceapi|<byo set>] [--models-manifest FILE] [--dry-run]
 *
 * `--models-manifest` names the manifest the model set comes from (a partner's BYO file);
 * the calibration is still written to `--manifest`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Calibration } from '../../src/scoring/onnx/calibration.ts';
import { scoreFromDistance } from '../../src/scoring/onnx/calibration.ts';
import { createOnnxEngine } from '../../src/scoring/onnx/createOnnxEngine.ts';
import { embeddingDistance } from '../../src/scoring/onnx/embeddingDistance.ts';
import { fitCalibration } from '../../src/scoring/onnx/fitCalibration.ts';
import { DEFAULT_MANIFEST_PATH } from '../../src/scoring/onnx/loadModelSet.ts';
import { areaUnderCurve, summariseScores } from '../../src/scoring/onnx/verificationMetrics.ts';
import { DEV_PAIRS, readPairsFile } from './devPairs.ts';

const { values } = parseArgs({
  options: {
    pairs: { type: 'string', default: DEV_PAIRS },
    manifest: { type: 'string', default: DEFAULT_MANIFEST_PATH },
    'models-manifest': { type: 'string' },
    set: { type: 'string' },
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
const pairs = readPairsFile(pairsFile);
const images = [...new Set(pairs.flatMap((p) => [p.pathA, p.pathB]))];
const descriptors = new Map<string, Float32Array | undefined>();
let done = 0;
for (const image of images) {
  // DOCUMENT role: a calibration wants every face's descriptor, MULTIPLE_FACES is a selfie rule.
  const verdict = await engine.analyse(readFileSync(image), 'DOCUMENT');
  descriptors.set(image, verdict.descriptor);
  if (++done % 20 === 0 || done === images.length)
    process.stderr.write(`\rdescribed ${done}/${images.length} images`);
}
process.stderr.write('\n');
const metric = engine.calibration.metric;
const distance = (a: string, b: string) => {
  const x = descriptors.get(a);
  const y = descriptors.get(b);
  return x && y ? embeddingDistance(x, y, metric) : Number.POSITIVE_INFINITY;
};
const identityOf = (path: string) => relative(resolve(pairsFile, '..'), path).split('/')[0];

const genuine = pairs.filter((p) => p.same === true).map((p) => distance(p.pathA, p.pathB));
// Every cross-identity image pair, not only the labelled impostors: thousands of comparisons
// instead of 172 make the 0.1 % tail estimate mean something.
const impostorAll: number[] = [];
for (let i = 0; i < images.length; i++) {
  for (let j = i + 1; j < images.length; j++) {
    const a = images[i] as string;
    const b = images[j] as string;
    if (identityOf(a) !== identityOf(b)) impostorAll.push(distance(a, b));
  }
}
const fitted = fitCalibration(engine.identity, metric, genuine, impostorAll);

const labelled = pairs.filter((p) => p.same !== undefined);
const scoreOf = (d: number) => (Number.isFinite(d) ? scoreFromDistance(fitted, d) : 0);
const summary = summariseScores(
  labelled.map((p) => ({ score: scoreOf(distance(p.pathA, p.pathB)), same: !!p.same })),
);
const impostorScores = impostorAll.map(scoreOf);
const missed = [...descriptors.values()].filter((d) => !d).length;
const calibration: Calibration = {
  ...fitted,
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
        labelled.filter((p) => !p.same).map((p) => -distance(p.pathA, p.pathB)),
      ),
    ),
    far80: round(summary.far80),
    frr80: round(summary.frr80),
    far70: round(summary.far70),
    frr70: round(summary.frr70),
  },
};
const farAll = (t: number) => impostorScores.filter((s) => s >= t).length / impostorScores.length;
const table = [90, 80, 75, 70, 60, 50].map((t) => ({
  score: `≥ ${t}`,
  falseAcceptAllCrossPairs: pct(farAll(t)),
  falseAcceptPairsTsv: pct(summariseImpostors(labelled, t)),
  genuineAccepted: pct(
    labelled.filter((p) => p.same && scoreOf(distance(p.pathA, p.pathB)) >= t).length / summary.genuine,
  ),
}));
process.stdout.write(`${JSON.stringify(calibration, null, 2)}\n`);
console.table(table);

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

function summariseImpostors(list: typeof labelled, t: number): number {
  const imp = list.filter((p) => !p.same);
  return imp.filter((p) => scoreOf(distance(p.pathA, p.pathB)) >= t).length / imp.length;
}
function pct(v: number): string {
  return `${(v * 100).toFixed(2)} %`;
}
function round(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}
