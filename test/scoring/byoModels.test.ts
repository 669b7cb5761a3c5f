import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, outcomeFor } from '../../src/domain/outcome.ts';
import { createOnnxEngine, type OnnxEngine } from '../../src/scoring/onnx/createOnnxEngine.ts';
import { gradientPng, portrait } from './support/partnerImages.ts';

/** Third-party ONNX files kept beside the checkout (see its PROVENANCE.md); never committed here. */
const BYO = resolve(import.meta.dirname, '../../../shared/models-byo');
const present = existsSync(join(BYO, 'face_detection_yunet_2023mar.onnx'));
if (!present) console.warn(`skipping bring-your-own model tests: ${BYO} is absent`);

describe.skipIf(!present)('bring-your-own models from ../shared/models-byo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'facematch-byo-real-'));
  const manifest = join(dir, 'partner-models.json');
  const engines: Record<string, OnnxEngine> = {};
  beforeAll(async () => {
    // The manifest a partner would write for OpenCV Zoo's YuNet, SCRFD and two MobileFaceNets.
    writeFileSync(
      manifest,
      JSON.stringify({
        byo: {
          sets: {
            'yunet-mbf': {
              detector: { kind: 'yunet', file: join(BYO, 'face_detection_yunet_2023mar.onnx') },
              recognizer: {
                kind: 'arcface112',
                file: join(BYO, 'mobilefacenet_paddle_128d.onnx'),
                channelOrder: 'bgr',
              },
            },
            'scrfd-mbf': {
              detector: { kind: 'scrfd', file: join(BYO, 'scrfd_500m_bnkps.onnx') },
              recognizer: {
                kind: 'arcface112',
                file: join(BYO, 'mobilefacenet_torch_128d.onnx'),
                mean: 127,
                std: 128,
              },
            },
          },
        },
      }),
    );
    for (const set of ['yunet-mbf', 'scrfd-mbf']) {
      engines[set] = await createOnnxEngine({ manifestPath: manifest, modelSet: set });
    }
  });
  afterAll(async () => {
    await Promise.all(Object.values(engines).map((e) => e.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('YuNet + MobileFaceNet, calibrated for these files, gives Success for one person and Fail for two', async () => {
    const engine = engines['yunet-mbf'] as OnnxEngine;
    expect(engine.calibration.figures, 'run bench/scoring/calibrate.ts for the yunet-mbf set').toBeDefined();
    const same = await engine.score(
      await portrait('sample2', { side: 640 }),
      await portrait('sample2', { side: 180, quality: 40 }),
    );
    expect(outcomeFor(same.score, DEFAULT_THRESHOLDS)).toBe('Success');
    expect(same.selfie?.face?.confidence).toBeGreaterThan(0.6);
    const different = await engine.score(await portrait('sample2'), await portrait('sample4'));
    expect(outcomeFor(different.score, DEFAULT_THRESHOLDS)).toBe('Fail');
  });

  it('SCRFD + another MobileFaceNet export separates the same person from a different one', async () => {
    const engine = engines['scrfd-mbf'] as OnnxEngine;
    const selfie = await portrait('sample2', { side: 640 });
    const same = await engine.compare(selfie, await portrait('sample2', { side: 180, quality: 40 }));
    const different = await engine.compare(selfie, await portrait('sample4'));
    expect(same.distance).not.toBeNull();
    expect(different.distance).not.toBeNull();
    expect(same.distance as number).toBeLessThan((different.distance as number) - 0.2);
    expect(same.score).toBeGreaterThan(different.score);
  });

  it('reports a missing face the same way whatever the models', async () => {
    for (const engine of Object.values(engines)) {
      const result = await engine.score(await portrait('sample2'), await gradientPng());
      expect(result.score).toBe(0);
      expect(result.reasons.map((r) => r.code)).toEqual(['NO_FACE_DOCUMENT']);
    }
  });
});
