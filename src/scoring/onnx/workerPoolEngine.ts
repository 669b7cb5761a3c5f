import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { EngineLoad, ImageRole, ScoreResult } from '../ScoringEngine.ts';
import type { ImageVerdict } from './analyseImage.ts';
import type { Calibration } from './calibration.ts';
import type { OnnxEngine, OnnxEngineOptions } from './createOnnxEngine.ts';
import type { WorkerReady, WorkerReply, WorkerRequest } from './engineWorker.ts';
import { EngineBusyError } from './inferenceLimiter.ts';

/** Starts one worker thread; tests pass one that keeps the `Worker` so they can end it mid-work. */
export type StartWorker = (file: URL, options: WorkerOptions) => Worker;

export interface WorkerPoolOptions extends Omit<OnnxEngineOptions, 'workers'> {
  /** Worker threads, each with its own sessions (~110 MB); at least 1. */
  workers: number;
  startWorker?: StartWorker;
  /** Told when a worker stops unexpectedly or cannot be restarted (the server logs it). */
  warn?: (message: string) => void;
}

/** The pool's load is the engine load `GET /metrics` reports. */
export type WorkerPoolLoad = EngineLoad;

export interface WorkerPoolEngine extends OnnxEngine {
  readonly workers: number;
  /** Comparisons the pool runs at once: every worker busy. */
  readonly capacity: number;
  load(): WorkerPoolLoad;
}

type Request = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

interface Job {
  request: Request;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker | null;
  /** Comparisons this worker holds, by request id. */
  running: Map<number, Job>;
}

const RESTART_DELAY_MS = { first: 500, max: 30_000 };
/** How long close() lets a worker finish the comparison it holds (one takes well under a second). */
const CLOSE_TIMEOUT_MS = 10_000;

/**
 * The onnx engine on a pool of worker threads, so scoring uses every core and the caller's
 * event loop only copies bytes. onnxruntime-node runs a model on the thread that calls it,
 * and one JS thread keeps one core busy at most; a worker per core, each with its own
 * sessions and one intra-op thread, scales where more intra-op threads on one worker did not
 * (docs/scoring.md, "Event loop").
 *
 * Comparisons wait here, uncopied, until a worker has room (the ones it runs and one more),
 * then go to the least busy worker; beyond `maxQueue` waiting here, `score` rejects with
 * EngineBusyError, as in-thread. A worker
 * that stops (crash, out of memory, terminated) fails the comparisons it held, is replaced,
 * and the others carry on: a job fails as ENGINE_ERROR, never hangs.
 */
export async function createWorkerPoolEngine(options: WorkerPoolOptions): Promise<WorkerPoolEngine> {
  const {
    workers,
    startWorker = (file, opts) => new Worker(file, opts),
    warn = () => {},
    ...engine
  } = options;
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`workers must be 1 or more, got ${workers}`);
  const perWorker = engine.concurrency ?? 1;
  // Each worker also holds the next comparison, copied and queued inside it: when one ends the
  // next starts at once, without waiting for this thread (busy with HTTP, or descheduled on a
  // loaded machine) to hand it over.
  const held = perWorker + 1;
  const maxQueue = engine.maxQueue ?? 64;
  // Compiled (dist/), the worker is plain JavaScript; from sources it needs tsx registered first.
  const file = new URL(
    import.meta.url.endsWith('.js') ? './engineWorker.js' : './engineWorkerBootstrap.mjs',
    import.meta.url,
  );
  const workerData: OnnxEngineOptions = { ...engine, concurrency: perWorker, maxQueue: held };
  const slots: Slot[] = Array.from({ length: workers }, () => ({
    worker: null,
    running: new Map(),
  }));
  const queue: Job[] = [];
  let nextId = 1;
  let restarts = 0;
  let closing = false;
  /** Why the last start failed while no worker is ready: new comparisons fail fast with it. */
  let unavailable: Error | null = null;

  /** Resolves once the worker has loaded its sessions; rejects if it stops before that. */
  const launch = (slot: Slot): Promise<WorkerReady> =>
    new Promise((resolve, reject) => {
      const worker = startWorker(file, { workerData });
      let ready = false;
      let lastError: Error | undefined;
      worker.on('message', (message: WorkerReady | WorkerReply) => {
        if ('ready' in message) {
          ready = true;
          // A replacement that came up after close() is idle: ending it is safe.
          if (closing) {
            void worker.terminate();
            reject(new Error('the scoring engine was closed'));
            return;
          }
          slot.worker = worker;
          worker.unref();
          resolve(message);
          pump();
          return;
        }
        const job = slot.running.get(message.id);
        if (!job) return;
        slot.running.delete(message.id);
        if (slot.running.size === 0) worker.unref();
        if (message.error !== undefined) job.reject(new Error(message.error));
        else job.resolve(message.result);
        pump();
      });
      worker.on('error', (error) => {
        lastError = error;
      });
      worker.on('exit', (code) => {
        const why = lastError ? lastError.message.split('\n')[0] : `exit code ${code}`;
        if (!ready) {
          reject(new Error(`an inference worker could not start: ${why}`));
          return;
        }
        if (slot.worker === worker) slot.worker = null;
        const lost = [...slot.running.values()];
        slot.running.clear();
        for (const job of lost) {
          job.reject(
            new Error(
              closing
                ? 'the scoring engine was closed before this comparison finished'
                : `the inference worker scoring this comparison stopped (${why}); submit the images again`,
            ),
          );
        }
        if (!closing) {
          warn(
            `an inference worker stopped (${why})${lost.length ? `, failing ${lost.length} comparison(s) it held` : ''}; starting a new one`,
          );
          restart(slot, RESTART_DELAY_MS.first);
        }
      });
    });

  const restart = (slot: Slot, delayMs: number) => {
    if (closing) return;
    launch(slot).then(
      () => {
        restarts++;
        unavailable = null;
      },
      (error: Error) => {
        if (closing) return;
        warn(`${error.message}; trying again in ${delayMs / 1000} s`);
        if (!slots.some((s) => s.worker)) {
          unavailable = error;
          // No worker to wait for: what is queued would hang until a start succeeds.
          for (const job of queue.splice(0)) job.reject(error);
        }
        setTimeout(() => restart(slot, Math.min(delayMs * 2, RESTART_DELAY_MS.max)), delayMs).unref();
      },
    );
  };

  /** Hands waiting comparisons to the least busy workers with a free slot. */
  const pump = () => {
    while (queue.length > 0) {
      const slot = leastBusy();
      if (!slot?.worker) return;
      const job = queue.shift() as Job;
      const id = nextId++;
      slot.running.set(id, job);
      slot.worker.ref();
      slot.worker.postMessage({ id, ...job.request });
    }
  };
  const leastBusy = (): Slot | undefined => {
    let best: Slot | undefined;
    for (const slot of slots) {
      if (!slot.worker || slot.running.size >= held) continue;
      if (!best || slot.running.size < best.running.size) best = slot;
    }
    return best;
  };

  const call = <T>(request: Request): Promise<T> => {
    if (closing) return Promise.reject(new Error('the scoring engine is closed'));
    if (unavailable) return Promise.reject(unavailable);
    if (!leastBusy() && queue.length >= maxQueue) return Promise.reject(new EngineBusyError(maxQueue));
    return new Promise<T>((resolve, reject) => {
      queue.push({ request, resolve: resolve as (value: unknown) => void, reject });
      pump();
    });
  };

  // In parallel: start-up then takes about as long as one worker's, not the sum.
  const started = await Promise.allSettled(slots.map(launch));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    closing = true;
    await Promise.all(slots.map((s) => s.worker?.terminate()));
    throw (failed as PromiseRejectedResult).reason;
  }
  const info = (started[0] as PromiseFulfilledResult<WorkerReady>).value;

  return {
    name: 'onnx',
    identity: info.identity,
    calibration: info.calibration as Calibration,
    workers,
    capacity: workers * perWorker,
    score: (selfie, document) => call<ScoreResult>({ op: 'score', selfie, document }),
    compare: (selfie, document) =>
      call<ScoreResult & { distance: number | null }>({ op: 'compare', selfie, document }),
    analyse: (bytes: Buffer, role: ImageRole) => call<ImageVerdict>({ op: 'analyse', bytes, role }),
    load: () => ({
      ready: slots.filter((s) => s.worker).length,
      running: slots.reduce((sum, s) => sum + s.running.size, 0),
      waiting: queue.length,
      restarts,
    }),
    async close() {
      if (closing) return;
      closing = true;
      for (const job of queue.splice(0)) job.reject(new Error('the scoring engine was closed'));
      // Never terminate() a worker inside a model run: onnxruntime-node's native code then throws
      // into a torn-down thread and aborts the whole process. Each worker finishes what it
      // holds, releases its sessions and answers; terminate() only ends an idle thread (or one
      // that has not answered in CLOSE_TIMEOUT_MS, which is stuck anyway).
      await Promise.all(
        slots.map(async ({ worker, running }) => {
          if (!worker) return;
          const id = nextId++;
          const released = new Promise<void>((resolve) => {
            running.set(id, { request: { op: 'close' }, resolve: () => resolve(), reject: () => resolve() });
          });
          worker.ref();
          worker.postMessage({ id, op: 'close' });
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([
            released,
            new Promise((resolve) => {
              timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
            }),
          ]);
          clearTimeout(timer);
          await worker.terminate();
        }),
      );
    },
  };
}
