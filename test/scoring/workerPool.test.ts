import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseEngine } from '../../src/app/chooseEngine.ts';
import { loadConfig } from '../../src/config/loadConfig.ts';
import { createOnnxEngine, type OnnxEngine } from '../../src/scoring/onnx/createOnnxEngine.ts';
import { EngineBusyError } from '../../src/scoring/onnx/inferenceLimiter.ts';
import { AUTO_WORKERS_MAX, inferenceWorkerCount } from '../../src/scoring/onnx/inferenceWorkerCount.ts';
import { isOnnxModelSetAvailable } from '../../src/scoring/onnx/isOnnxModelSetAvailable.ts';
import { createWorkerPoolEngine, type WorkerPoolEngine } from '../../src/scoring/onnx/workerPoolEngine.ts';
import { waitFor } from '../support/waitFor.ts';
import { portrait, truncatedJpeg } from './support/partnerImages.ts';

const CRASHABLE_WORKER = new URL('./support/crashableEngineWorker.mjs', import.meta.url);

// How free the event loop stays and how fast the pool scores is measured in bench/, not asserted here.

describe.skipIf(!isOnnxModelSetAvailable())('onnx engine on a pool of worker threads', () => {
  let pool: WorkerPoolEngine;
  let inThread: OnnxEngine;
  let selfie: Buffer;
  let document: Buffer;
  beforeAll(async () => {
    selfie = await portrait('sample2', { side: 640 });
    document = await portrait('sample2', { side: 200, quality: 50 });
    [pool, inThread] = await Promise.all([
      createWorkerPoolEngine({ workers: 2, maxQueue: 3 }),
      createOnnxEngine(),
    ]);
  });
  afterAll(async () => {
    await pool?.close();
    await inThread?.close();
  });

  it('gives the same result as the in-thread engine', async () => {
    const [a, b] = await Promise.all([pool.score(selfie, document), inThread.score(selfie, document)]);
    expect(a).toEqual(b);
    expect(a.score).toBeGreaterThanOrEqual(80);
  });

  it('reports bad uploads as results, not errors, across the thread boundary', async () => {
    const result = await pool.score(await portrait('sample2'), await truncatedJpeg());
    expect(result).toMatchObject({
      score: 0,
      reasons: [expect.objectContaining({ code: 'UNREADABLE_IMAGE' })],
    });
  });

  it('gives each worker one comparison and its next, queues up to maxQueue more and refuses the rest as busy', async () => {
    const burst = Array.from({ length: 8 }, () =>
      pool.score(selfie, document).then(
        () => 'scored',
        (e) => e,
      ),
    );
    expect(pool.load()).toMatchObject({ running: 4, waiting: 3 });
    const outcomes = await Promise.all(burst);
    expect(outcomes.filter((o) => o === 'scored')).toHaveLength(7);
    expect(outcomes.filter((o) => o instanceof EngineBusyError)).toHaveLength(1);
  });

  it('lets the comparisons it holds finish when closed mid-work, and refuses new ones', async () => {
    const running = pool.score(selfie, document);
    await waitFor(() => pool.load().running === 1, 'the comparison to reach a worker');
    await pool.close();
    expect((await running).score).toBeGreaterThanOrEqual(80);
    await expect(pool.score(selfie, document)).rejects.toThrow(/closed/);
  });
});

describe.skipIf(!isOnnxModelSetAvailable())('a pool whose worker crashes mid-work', () => {
  let pool: WorkerPoolEngine;
  const started: Worker[] = [];
  const warnings: string[] = [];
  beforeAll(async () => {
    pool = await createWorkerPoolEngine({
      workers: 1,
      warn: (message) => warnings.push(message),
      // The real worker plus a way to crash it (see crashableEngineWorker.mjs).
      startWorker: (_file, options) => {
        const worker = new Worker(CRASHABLE_WORKER, options);
        started.push(worker);
        return worker;
      },
    });
  });
  afterAll(async () => {
    await pool?.close();
  });

  it('fails the comparison a crashed worker held, starts a new worker, and scores the next one', async () => {
    const selfie = await portrait('sample2', { side: 640 });
    const document = await portrait('sample2', { side: 200, quality: 50 });
    const held = pool.score(selfie, document);
    await waitFor(() => pool.load().running === 1, 'the comparison to reach the worker');
    (started[0] as Worker).postMessage({ crash: 'simulated crash in the pipeline' });
    await expect(held).rejects.toThrow(
      /inference worker scoring this comparison stopped \(simulated crash in the pipeline\)/,
    );
    // Waits for the replacement rather than failing: one worker is still expected to come back.
    expect((await pool.score(selfie, document)).score).toBeGreaterThanOrEqual(80);
    expect(started).toHaveLength(2);
    expect(pool.load()).toMatchObject({ ready: 1, restarts: 1 });
    expect(warnings.join('\n')).toMatch(/an inference worker stopped .*failing 1 comparison/);
  });
});

describe.skipIf(!isOnnxModelSetAvailable())('the server engine from config', () => {
  it('starts onnx.workers workers: auto is one per usable core (at most 8), a number is that many', async () => {
    const sized = async (workers: string | undefined) => {
      const config = loadConfig({
        env: workers ? { FACEMATCH_ONNX_WORKERS: workers } : {},
        flags: { engine: 'onnx' },
      });
      const engine = await chooseEngine(config, () => {});
      await engine.close();
      return engine.workers;
    };
    const auto = inferenceWorkerCount('auto');
    expect(auto).toBeGreaterThanOrEqual(1);
    expect(auto).toBeLessThanOrEqual(Math.min(availableParallelism(), AUTO_WORKERS_MAX));
    expect(await sized(undefined)).toBe(auto);
    expect(await sized('1')).toBe(1);
  });
});
