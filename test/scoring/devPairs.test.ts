import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_PAIRS, devSetPresent, readPairsFile } from '../../bench/scoring/devPairs.ts';
import { DEFAULT_THRESHOLDS, outcomeFor } from '../../src/domain/outcome.ts';
import { createOnnxEngine, type OnnxEngine } from '../../src/scoring/onnx/createOnnxEngine.ts';
import { isOnnxModelSetAvailable } from '../../src/scoring/onnx/isOnnxModelSetAvailable.ts';

const present = devSetPresent();
if (!present)
  console.warn(`skipping dev-set tests: ${DEV_PAIRS} is absent (labelled photos are not in the repo)`);

/**
 * Real labelled photos, partner's view: same person → Success, different people → Fail.
 * Every 6th pair of pairs.tsv keeps the file at a few seconds; it still holds the
 * 150×150 tight crops that detectors miss out of the box. The full 344 pairs run in
 * bench/scoring (calibrate.ts, run.ts).
 */
describe.skipIf(!present || !isOnnxModelSetAvailable())('dev set photos through the default engine', () => {
  let engine: OnnxEngine;
  beforeAll(async () => {
    engine = await createOnnxEngine();
  });
  afterAll(() => engine?.close());

  it('puts same-person pairs in Success and different-person pairs in Fail', async () => {
    const sample = readPairsFile(DEV_PAIRS).filter((_, i) => i % 6 === 0);
    const outcomes = { genuine: [] as string[], impostor: [] as string[] };
    for (const pair of sample) {
      const result = await engine.score(readFileSync(pair.pathA), readFileSync(pair.pathB));
      expect(result.score, `${pair.a} vs ${pair.b}: ${JSON.stringify(result.reasons)}`).toBeGreaterThan(0);
      outcomes[pair.same ? 'genuine' : 'impostor'].push(outcomeFor(result.score, DEFAULT_THRESHOLDS));
    }
    const share = (list: string[], outcome: string) => list.filter((o) => o === outcome).length / list.length;
    expect(sample.some((p) => p.a.startsWith('faceapi_'))).toBe(true);
    expect(share(outcomes.genuine, 'Success')).toBeGreaterThanOrEqual(0.9);
    expect(share(outcomes.genuine, 'Fail')).toBe(0);
    expect(share(outcomes.impostor, 'Fail')).toBeGreaterThanOrEqual(0.95);
    expect(share(outcomes.impostor, 'Success')).toBe(0);
  });
});
