import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOnnxEngine, type OnnxEngine } from '../../src/scoring/onnx/createOnnxEngine.ts';
import { isOnnxModelSetAvailable } from '../../src/scoring/onnx/isOnnxModelSetAvailable.ts';
import { portrait, truncatedJpeg } from './support/partnerImages.ts';

// How free the event loop stays is measured in bench/scoring/run.ts, not asserted here.

describe.skipIf(!isOnnxModelSetAvailable())('onnx engine with its models in a worker thread', () => {
  let inWorker: OnnxEngine;
  let inThread: OnnxEngine;
  beforeAll(async () => {
    inWorker = await createOnnxEngine({ offMainThread: true, intraOpNumThreads: 2 });
    inThread = await createOnnxEngine();
  });
  afterAll(async () => {
    await inWorker?.close();
    await inThread?.close();
  });

  it('gives the same result as the in-thread engine', async () => {
    const selfie = await portrait('sample2', { side: 640 });
    const document = await portrait('sample2', { side: 200, quality: 50 });
    const [a, b] = await Promise.all([inWorker.score(selfie, document), inThread.score(selfie, document)]);
    expect(a).toEqual(b);
    expect(a.score).toBeGreaterThanOrEqual(80);
  });

  it('reports bad uploads as results, not errors, across the thread boundary', async () => {
    const result = await inWorker.score(await portrait('sample2'), await truncatedJpeg());
    expect(result).toMatchObject({
      score: 0,
      reasons: [expect.objectContaining({ code: 'UNREADABLE_IMAGE' })],
    });
  });
});
