import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/scoring/image/decodeImage.ts';
import { applyAffine, similarityTransform } from '../../src/scoring/image/similarityTransform.ts';
import { scoreFromDistance } from '../../src/scoring/onnx/calibration.ts';
import { chooseFace } from '../../src/scoring/onnx/chooseFace.ts';
import { fitCalibration } from '../../src/scoring/onnx/fitCalibration.ts';
import { createInferenceLimiter, EngineBusyError } from '../../src/scoring/onnx/inferenceLimiter.ts';
import { areaUnderCurve } from '../../src/scoring/onnx/verificationMetrics.ts';

describe('decoding uploads', () => {
  it('decodes WebP and PNG by their bytes and applies EXIF orientation', async () => {
    const raw = { raw: { width: 40, height: 20, channels: 3 as const } };
    const pixels = Buffer.alloc(40 * 20 * 3, 90);
    const webp = await sharp(pixels, raw).webp().toBuffer();
    const rotated = await sharp(pixels, raw).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const w = await decodeImage(webp);
    const r = await decodeImage(rotated);
    expect(w).toMatchObject({ ok: true, format: 'webp', originalWidth: 40, originalHeight: 20 });
    // Orientation 6 means "rotate 90° clockwise to display": the face is upright only after that.
    expect(r).toMatchObject({ ok: true, format: 'jpeg', originalWidth: 20, originalHeight: 40 });
  });

  it('refuses formats we do not promise and pixel bombs, with a sentence instead of a throw', async () => {
    const gif = Buffer.from('GIF89a............');
    expect(await decodeImage(gif)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/JPEG, PNG or WebP/),
    });
    const big = await sharp({ create: { width: 3000, height: 3000, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    const refused = await decodeImage(big, { maxInputPixels: 1_000_000, maxWorkingSide: 1600 });
    expect(refused.ok).toBe(false);
  });
});

describe('alignment', () => {
  it('recovers a known rotation, scale and shift from five points', () => {
    const from: [number, number][] = [
      [10, 20],
      [40, 22],
      [25, 35],
      [14, 50],
      [37, 51],
    ];
    const angle = 0.3;
    const s = 1.7;
    const to = from.map(
      ([x, y]) =>
        [
          s * (Math.cos(angle) * x - Math.sin(angle) * y) + 5,
          s * (Math.sin(angle) * x + Math.cos(angle) * y) - 8,
        ] as const,
    );
    const m = similarityTransform(from, to);
    from.forEach((p, i) => {
      const q = applyAffine(m, p);
      expect(q[0]).toBeCloseTo((to[i] as readonly number[])[0] as number, 9);
      expect(q[1]).toBeCloseTo((to[i] as readonly number[])[1] as number, 9);
    });
  });
});

describe('score rules', () => {
  const calibration = fitCalibration(
    'test',
    'cosine',
    Array.from({ length: 50 }, (_, i) => 0.2 + i * 0.006),
    Array.from({ length: 500 }, (_, i) => 0.6 + (i % 100) * 0.006),
  );

  it('maps distance to integers 1–100 that never rise with distance, and 80 exactly at the fitted knot', () => {
    let previous = 101;
    for (let d = 0; d <= 2; d += 0.01) {
      const score = scoreFromDistance(calibration, d);
      expect(Number.isInteger(score)).toBe(true);
      expect(score).toBeGreaterThanOrEqual(1);
      expect(score).toBeLessThanOrEqual(previous);
      previous = score;
    }
    const knot80 = calibration.knots.find(([, s]) => s === 80)?.[0] as number;
    expect(scoreFromDistance(calibration, knot80)).toBe(80);
    expect(scoreFromDistance(calibration, knot80 + 1e-4)).toBe(79);
  });

  it('keeps impostors below 80 on the data it was fitted on', () => {
    const impostors = Array.from({ length: 500 }, (_, i) => 0.6 + (i % 100) * 0.006);
    expect(impostors.filter((d) => scoreFromDistance(calibration, d) >= 80)).toHaveLength(0);
  });

  it('computes AUC with ties counted half', () => {
    expect(areaUnderCurve([3, 4], [1, 2])).toBe(1);
    expect(areaUnderCurve([1], [1])).toBe(0.5);
  });

  it('treats two similar-sized faces as MULTIPLE_FACES on a selfie but not on a document', () => {
    const a = { x: 0, y: 0, width: 100, height: 110, score: 0.9 };
    const b = { x: 200, y: 0, width: 90, height: 100, score: 0.8 };
    const ghost = { x: 400, y: 0, width: 35, height: 40, score: 0.7 };
    expect(chooseFace([a, b], true).kind).toBe('multiple');
    expect(chooseFace([a, b], false)).toMatchObject({ kind: 'one', face: a, count: 2 });
    expect(chooseFace([ghost, a], true)).toMatchObject({ kind: 'one', face: a });
  });
});

describe('inference limiter', () => {
  it('holds extra work in a bounded queue and refuses beyond it', async () => {
    const limiter = createInferenceLimiter(1, 1);
    let release: () => void = () => {};
    const first = limiter.run(() => new Promise<void>((r) => (release = r)));
    const second = limiter.run(async () => 'second');
    await expect(limiter.run(async () => 'third')).rejects.toBeInstanceOf(EngineBusyError);
    release();
    await first;
    await expect(second).resolves.toBe('second');
  });
});
