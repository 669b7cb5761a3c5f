import { parentPort, workerData } from 'node:worker_threads';
import type { ImageRole } from '../ScoringEngine.ts';
import { createInThreadEngine, type OnnxEngineOptions } from './createOnnxEngine.ts';

/**
 * One worker of the pool (`workerPoolEngine.ts`): its own sessions and its own thread, because
 * onnxruntime-node executes `run` on the calling thread; this is how inference stays off the
 * server's event loop and spreads over the cores.
 */
export type WorkerRequest =
  | { id: number; op: 'score' | 'compare'; selfie: Uint8Array; document: Uint8Array }
  | { id: number; op: 'analyse'; bytes: Uint8Array; role: ImageRole }
  | { id: number; op: 'close' };

export type WorkerReady = { ready: true; identity: string; calibration: unknown };
export type WorkerReply = { id: number; result?: unknown; error?: string };

/** A view, not a copy: the bytes were already copied once on their way here. */
const bytesOf = (data: Uint8Array) => Buffer.from(data.buffer, data.byteOffset, data.byteLength);

const port = parentPort;
if (!port) throw new Error('engineWorker must run in a worker thread');
const engine = await createInThreadEngine(workerData as OnnxEngineOptions);
port.postMessage({
  ready: true,
  identity: engine.identity,
  calibration: engine.calibration,
} satisfies WorkerReady);
// Comparisons still running here: `close` lets them finish before the sessions go.
const inFlight = new Set<Promise<unknown>>();
port.on('message', async (request: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    let result: unknown;
    if (request.op === 'close') {
      await Promise.allSettled(inFlight);
      await engine.close();
      result = null;
    } else {
      const work: Promise<unknown> =
        request.op === 'analyse'
          ? engine.analyse(bytesOf(request.bytes), request.role)
          : engine[request.op](bytesOf(request.selfie), bytesOf(request.document));
      inFlight.add(work);
      try {
        result = await work;
      } finally {
        inFlight.delete(work);
      }
    }
    reply = { id: request.id, result };
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
