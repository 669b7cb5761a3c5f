import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  bandFor,
  type Calibration,
  pairQuality,
  scoreFromDistance,
} from '../../src/scoring/onnx/calibration.ts';
import { fitCalibration } from '../../src/scoring/onnx/fitCalibration.ts';
import { isOnnxModelSetAvailable } from '../../src/scoring/onnx/isOnnxModelSetAvailable.ts';
import { DEFAULT_MANIFEST_PATH, loadModelSet } from '../../src/scoring/onnx/loadModelSet.ts';

const photo: Calibration['knots'] = [
  [0, 100],
  [0.56, 80],
  [0.63, 70],
  [1.2, 1],
];
const soft: Calibration['knots'] = [
  [0, 100],
  [0.5, 80],
  [0.55, 70],
  [1.2, 1],
];
const banded: Calibration = {
  engine: 'test',
  metric: 'euclidean',
  knots: photo,
  bands: [{ name: 'soft', when: { sharpnessBelow: 150 }, knots: soft }],
};
const face = (sizePx: number, sharpness: number) => ({
  box: { x: 0, y: 0, width: sizePx, height: sizePx },
  confidence: 0.9,
  sizePx,
  quality: { sharpness, brightness: 120 },
});

describe('quality bands of the calibration', () => {
  it("scores a pair by its worse image's band, and other pairs on the photo knots", () => {
    const sharpPair = pairQuality(face(200, 400), face(120, 300));
    const softPair = pairQuality(face(200, 400), face(50, 40));
    expect(softPair).toEqual({ faceSizePx: 50, sharpness: 40 });
    expect(bandFor(banded, sharpPair)).toBeUndefined();
    expect(bandFor(banded, softPair)?.name).toBe('soft');
    // 0.6 is Success-adjacent on photos but clearly below Review for a soft document.
    expect(scoreFromDistance(banded, 0.6, sharpPair)).toBeGreaterThanOrEqual(70);
    expect(scoreFromDistance(banded, 0.6, softPair)).toBeLessThan(70);
    expect(scoreFromDistance(banded, 0.6)).toBe(scoreFromDistance(banded, 0.6, sharpPair));
  });

  it('applies a band only when every limit it names holds', () => {
    const both: Calibration = {
      ...banded,
      bands: [{ name: 'small and soft', when: { faceSizeBelow: 48, sharpnessBelow: 150 }, knots: soft }],
    };
    expect(bandFor(both, { faceSizePx: 40, sharpness: 100 })?.name).toBe('small and soft');
    expect(bandFor(both, { faceSizePx: 60, sharpness: 100 })).toBeUndefined();
    expect(bandFor(both, { faceSizePx: 40, sharpness: 200 })).toBeUndefined();
  });

  it('scores a calibration without bands (older ones, partner sets) on its knots whatever the quality', () => {
    const plain: Calibration = { engine: 'test', metric: 'euclidean', knots: photo };
    for (const d of [0.3, 0.56, 0.6, 0.63, 0.9]) {
      expect(scoreFromDistance(plain, d, { faceSizePx: 30, sharpness: 5 })).toBe(scoreFromDistance(plain, d));
    }
  });

  it('fits a band to the strictest of its kinds of degradation, so a mild kind cannot cover for a harsh one', () => {
    const genuine = Array.from({ length: 200 }, (_, i) => 0.3 + i * 0.001);
    const mild = Array.from({ length: 5000 }, (_, i) => 0.7 + (i % 500) * 0.001);
    const harsh = Array.from({ length: 5000 }, (_, i) => 0.55 + (i % 500) * 0.001);
    const pooled = fitCalibration('t', 'euclidean', genuine, [...mild, ...harsh], undefined, {
      empiricalTail: true,
    });
    const strict = fitCalibration('t', 'euclidean', genuine, [...mild, ...harsh], undefined, {
      impostorGroups: [mild, harsh],
      empiricalTail: true,
    });
    const knot = (c: Calibration, s: number) => c.knots.find(([, v]) => v === s)?.[0] as number;
    expect(knot(strict, 70)).toBeLessThan(knot(pooled, 70));
    const review = (c: Calibration) =>
      harsh.filter((d) => scoreFromDistance(c, d) >= 70).length / harsh.length;
    expect(review(pooled)).toBeGreaterThan(0.01);
    expect(review(strict)).toBeLessThanOrEqual(0.01);
  });
});

describe.skipIf(!isOnnxModelSetAvailable())('calibration stored in a models manifest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'calibration-manifest-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const shipped = JSON.parse(readFileSync(DEFAULT_MANIFEST_PATH, 'utf8')) as {
    networks: Record<string, { file: string }>;
  };
  const identity = loadModelSet().identity;
  /** The shipped networks (absolute paths) with a calibration of our choosing. */
  function manifestWith(calibration: unknown): string {
    const networks = Object.fromEntries(
      Object.entries(shipped.networks).map(([k, v]) => [
        k,
        { ...v, file: resolve(DEFAULT_MANIFEST_PATH, '..', v.file) },
      ]),
    );
    const path = join(dir, `manifest-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, JSON.stringify({ networks, calibration: { [identity]: calibration } }));
    return path;
  }

  it('loads a calibration fitted before bands existed', () => {
    const set = loadModelSet(manifestWith({ engine: identity, metric: 'euclidean', knots: photo }));
    expect(set.calibration?.knots).toEqual(photo);
    expect(set.calibration?.bands).toBeUndefined();
  });

  it('loads bands, and refuses a malformed one naming the manifest and the fix', () => {
    const set = loadModelSet(manifestWith({ ...banded, engine: identity }));
    expect(set.calibration?.bands?.[0]?.when).toEqual({ sharpnessBelow: 150 });
    const broken = manifestWith({
      ...banded,
      engine: identity,
      bands: [{ name: 'soft', when: {}, knots: soft }],
    });
    expect(() => loadModelSet(broken)).toThrow(/bands\.0\.when: a band needs.*calibrate\.ts/);
    const unordered = manifestWith({
      ...banded,
      engine: identity,
      bands: [{ name: 'soft', when: { sharpnessBelow: 150 }, knots: [...soft].reverse() }],
    });
    expect(() => loadModelSet(unordered)).toThrow(/ascending distances/);
  });

  it('validates the calibration shipped in models/manifest.json', () => {
    expect(() => loadModelSet()).not.toThrow();
  });
});
