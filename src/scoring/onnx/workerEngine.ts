import { Worker } from 'node:worker_threads';
import type { ImageRole, ScoreResult } from '../ScoringEngine.ts';
import type { ImageVerdict } from './analyseImage.ts';
import type { Calibration } from './calibration.ts';
import type { OnnxEngine, OnnxEngineOptions } from './createOnnxEngine.ts';
import { EngineBusyError } from './inferenceLimiter.ts';

type Reply = { id: number; result?: unknown; error?: string };

/**
 * The onnx engine with its sessions in a worker thread: the caller's event loop only
 * copies the upload bytes across and waits. Same results as the in-thread engine; the
 * queue bound is enforced here so a burst is refused before anything is copied.
 */
export async function createWorkerEngine(options: OnnxEngineOptions): Promise<OnnxEngine> {
  const { offMainThread: _offMainThread, ...inWorker } = options;
  // Compiled (dist/), the worker is plain JavaScript; from sources it needs tsx registered first.
  const workerModule = import.meta.url.endsWith('.js') ? './engineWorker.js' : './engineWorkerBootstrap.mjs';
  const worker = new Worker(new URL(workerModule, import.meta.url), {
    workerData: inWorker,
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let failure: Error | null = null;

  const ready = new Promise<{ identity: string; calibration: Calibration }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const info = await ready;
  worker.on('message', (reply: Reply) => {
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if (reply.error !== undefined) waiter.reject(new Error(reply.error));
    else waiter.resolve(reply.result);
  });
  // A crashed worker fails every waiting comparison as an engine error instead of hanging it.
  worker.on('error', (error) => {
    failure = error;
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  });

  const call = <T>(request: Record<string, unknown>): Promise<T> => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ id, ...request });
    });
  };
  // The worker runs `concurrency` comparisons at a time itself; here only the total
  // (running + waiting) is bounded, so a burst is refused before its bytes are copied.
  const limit = (options.concurrency ?? 2) + (options.maxQueue ?? 64);
  let inFlight = 0;
  const guarded = async <T>(request: Record<string, unknown>): Promise<T> => {
    if (inFlight >= limit) throw new EngineBusyError(options.maxQueue ?? 64);
    inFlight++;
    try {
      return await call<T>(request);
    } finally {
      inFlight--;
    }
  };

  return {
    name: 'onnx',
    identity: info.identity,
    calibration: info.calibration,
    score: (selfie, document) => guarded<ScoreResult>({ op: 'score', selfie, document }),
    compare: (selfie, document) =>
      guarded<ScoreResult & { distance: number | null }>({ op: 'compare', selfie, document }),
    analyse: (bytes: Buffer, role: ImageRole) => guarded<ImageVerdict>({ op: 'analyse', bytes, role }),
    async close() {
      if (!failure) await call({ op: 'close' });
      await worker.terminate();
    },
  };
}
