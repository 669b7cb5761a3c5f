/**
 * Resolution resilience: how the engine copes when the document side of each dev pair
 * is degraded the way real document portraits are. Degraded images are generated in
 * memory at run time and never kept (the dev photos are third-party); the JPEG 2000 rows
 * pass through a private temporary folder for opj_compress and need libopenjp2-tools.
 *
 *   npx tsx bench/scoring/degrade.ts [--pairs FILE.tsv] [--set NAME] [--models FILE]
 *
 * For each degradation: detection rate on the degraded images, then over ALL pairs
 * (selfie = original `a`, document = degraded `b`; a missed face is a non-match) AUC,
 * accuracy at 80 and 70, false accepts and false rejects.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { scoreFromDistance } from '../../src/scoring/onnx/calibration.ts';
import { createOnnxEngine, type OnnxEngine } from '../../src/scoring/onnx/createOnnxEngine.ts';
import { embeddingDistance } from '../../src/scoring/onnx/embeddingDistance.ts';
import { readPairsFile } from '../../src/scoring/onnx/pairsFile.ts';
import { summariseScores } from '../../src/scoring/onnx/verificationMetrics.ts';
import type { FaceBox } from '../../src/scoring/ScoringEngine.ts';
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

type Degrade = (bytes: Buffer, face: FaceBox | null) => Promise<Buffer>;

/** Downscale the whole photo so the face is `target` px wide (as in a small printed portrait). */
const shrinkFaceTo =
  (target: number): Degrade =>
  async (bytes, face) => {
    const img = sharp(bytes).rotate();
    const meta = await sharp(bytes).rotate().toBuffer({ resolveWithObject: true });
    const faceWidth = face?.width ?? meta.info.width / 2;
    const k = Math.min(1, target / faceWidth);
    return img
      .resize(Math.max(16, Math.round(meta.info.width * k)), Math.max(16, Math.round(meta.info.height * k)))
      .jpeg({ quality: 90 })
      .toBuffer();
  };

const DEGRADATIONS: Record<string, Degrade> = {
  original: async (bytes) => bytes,
  'face 60 px': shrinkFaceTo(60),
  'face 40 px': shrinkFaceTo(40),
  'JPEG q25': (bytes) => sharp(bytes).rotate().jpeg({ quality: 25 }).toBuffer(),
  'JPEG q20 + face 60 px': async (bytes, face) =>
    sharp(await shrinkFaceTo(60)(bytes, face))
      .jpeg({ quality: 20 })
      .toBuffer(),
  grayscale: (bytes) => sharp(bytes).rotate().grayscale().jpeg({ quality: 90 }).toBuffer(),
  'blur σ = face/40': async (bytes, face) =>
    sharp(bytes)
      .rotate()
      .blur(Math.max(1, (face?.width ?? 120) / 40))
      .jpeg({ quality: 90 })
      .toBuffer(),
  'ID card (face 56 px)': idCard,
  'chip portrait JP2, lossless': chipPortrait(null),
  'chip portrait JP2, ratio 12 (~19 KB)': chipPortrait(12),
  'chip portrait JP2, ratio 50 (~5 KB)': chipPortrait(50),
  'chip portrait JP2, ratio 150 (~1.5 KB)': chipPortrait(150),
};

/**
 * An e-passport chip portrait (ICAO 9303 DG2): the face cut to 3:4 at 240×320 with the face
 * about 65 % of the width, as fixtures/chip-portrait.jp2, then JPEG 2000 at a compression
 * ratio. Encoded by Debian's opj_compress (libopenjp2-tools; the npm codec's encoder ignores
 * its rate settings), through a private temporary folder removed straight after; the engine
 * then decodes it through the same WebAssembly OpenJPEG as an upload. `null`: lossless, to
 * tell the framing and size apart from the compression.
 */
function chipPortrait(ratio: number | null): Degrade {
  return async (bytes, face) => {
    const rotated = await sharp(bytes).rotate().toBuffer({ resolveWithObject: true });
    const { width, height } = rotated.info;
    const box = face ?? { x: width / 4, y: height / 4, width: width / 2, height: height / 2 };
    const w = Math.min(width, Math.round(box.width / 0.65));
    const h = Math.min(height, Math.round((w * 4) / 3));
    const left = Math.min(width - w, Math.max(0, Math.round(box.x + box.width / 2 - w / 2)));
    const top = Math.min(height - h, Math.max(0, Math.round(box.y + box.height / 2 - h * 0.45)));
    const png = await sharp(rotated.data)
      .extract({ left, top, width: w, height: h })
      .resize(240, 320, { fit: 'cover' })
      .png()
      .toBuffer();
    const dir = mkdtempSync(join(tmpdir(), 'degrade-jp2-'));
    try {
      writeFileSync(join(dir, 'in.png'), png);
      execFileSync(
        'opj_compress',
        [
          '-i',
          join(dir, 'in.png'),
          '-o',
          join(dir, 'out.jp2'),
          ...(ratio === null ? [] : ['-r', String(ratio)]),
        ],
        {
          stdio: 'ignore',
        },
      );
      return readFileSync(join(dir, 'out.jp2'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/**
 * A synthetic ID card: pale coloured card with stripes and text blocks, the holder's
 * portrait cropped around the face so the face is ~56 px wide, a faint ghost copy,
 * the whole card then JPEG-compressed as a phone capture would be.
 */
async function idCard(bytes: Buffer, face: FaceBox | null): Promise<Buffer> {
  const rotated = await sharp(bytes).rotate().toBuffer({ resolveWithObject: true });
  const { width, height } = rotated.info;
  const box = face ?? { x: width / 4, y: height / 4, width: width / 2, height: height / 2 };
  const side = box.width * 1.6;
  const left = Math.max(0, Math.round(box.x + box.width / 2 - side / 2));
  const top = Math.max(0, Math.round(box.y + box.height / 2 - side * 0.55));
  const w = Math.min(width - left, Math.round(side));
  const h = Math.min(height - top, Math.round(side * 1.25));
  const scale = 56 / box.width;
  const portrait = await sharp(rotated.data)
    .extract({ left, top, width: Math.max(1, w), height: Math.max(1, h) })
    .resize(Math.max(8, Math.round(w * scale)), Math.max(8, Math.round(h * scale)))
    .toBuffer();
  const ghost = await sharp(portrait)
    .resize(Math.max(8, Math.round(w * scale * 0.4)))
    .grayscale()
    .linear(0.5, 120)
    .toBuffer();
  const stripes = Buffer.from(
    `<svg width="428" height="270"><rect x="0" y="0" width="428" height="34" fill="#2c5d8f"/>
     <rect x="120" y="60" width="200" height="10" fill="#7a8899"/><rect x="120" y="85" width="160" height="10" fill="#7a8899"/>
     <rect x="120" y="110" width="220" height="10" fill="#7a8899"/><rect x="0" y="240" width="428" height="30" fill="#d8c38a"/></svg>`,
  );
  return sharp({ create: { width: 428, height: 270, channels: 3, background: '#cfe0d4' } })
    .composite([
      { input: stripes, left: 0, top: 0 },
      { input: portrait, left: 20, top: 50 },
      { input: ghost, left: 350, top: 150 },
    ])
    .jpeg({ quality: 60 })
    .toBuffer();
}

async function describeAll(
  engine: OnnxEngine,
  images: string[],
  degrade: Degrade,
  faces: Map<string, FaceBox | null>,
): Promise<Map<string, Float32Array | undefined>> {
  const out = new Map<string, Float32Array | undefined>();
  flagged = 0;
  sharpness.length = 0;
  for (const image of images) {
    const bytes = await degrade(readFileSync(image), faces.get(image) ?? null);
    const verdict = await engine.analyse(bytes, 'DOCUMENT');
    out.set(image, verdict.descriptor);
    if (verdict.warnings.some((w) => w.code === 'LOW_QUALITY_DOCUMENT')) flagged++;
    const q = verdict.analysis?.face?.quality;
    if (q) sharpness.push(q.sharpness);
    if (!faces.has(image)) faces.set(image, verdict.analysis?.face?.box ?? null);
  }
  return out;
}

let flagged = 0;
const sharpness: number[] = [];
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? Number.NaN;
const images = [...new Set(pairs.flatMap((p) => [p.pathA, p.pathB]))];
const faces = new Map<string, FaceBox | null>();
const original = await describeAll(engine, images, DEGRADATIONS.original as Degrade, faces);
const originalFlagged = flagged;
const originalSharpness = median(sharpness);
const rows: Record<string, string>[] = [];
const wanted = values.only?.split(',').map((n) => n.trim());
for (const [name, degrade] of Object.entries(DEGRADATIONS)) {
  if (wanted && name !== 'original' && !wanted.some((w) => name.startsWith(w))) continue;
  process.stderr.write(`${name}…\n`);
  const degraded = name === 'original' ? original : await describeAll(engine, images, degrade, faces);
  const found = [...degraded.values()].filter(Boolean).length;
  const lowQuality = name === 'original' ? originalFlagged : flagged;
  const medianSharpness = name === 'original' ? originalSharpness : median(sharpness);
  const scored = pairs.map((p) => {
    const a = original.get(p.pathA);
    const b = degraded.get(p.pathB);
    const score =
      a && b ? scoreFromDistance(engine.calibration, embeddingDistance(a, b, engine.calibration.metric)) : 0;
    return { score, same: !!p.same };
  });
  const s = summariseScores(scored);
  const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
  rows.push({
    degradation: name,
    'faces found': `${found}/${images.length}`,
    'LOW_QUALITY flagged': `${lowQuality}`,
    'median sharpness': medianSharpness.toFixed(0),
    AUC: s.auc.toFixed(4),
    'acc @80': pct(s.accuracyAt80),
    'acc @70': pct(s.accuracyAt70),
    'FAR @80': pct(s.far80),
    'FRR @80': pct(s.frr80),
    'FAR @70': pct(s.far70),
    'FRR @70': pct(s.frr70),
  });
}
process.stdout.write(`${pairs.length} pairs, document side degraded; engine ${engine.identity}\n`);
console.table(rows);
await engine.close();
