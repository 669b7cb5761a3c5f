import { parentPort, workerData } from 'node:worker_threads';
import type { ImageRole } from '../ScoringEngine.ts';
import { createInThreadEngine, type OnnxEngineOptions } from './createOnnxEngine.ts';

/**
 * Runs an engine inside a worker thread: onnxruntime-node executes `run` on the
 * calling thread, so this is how inference stays off the server's event loop.
 */
export type WorkerRequest =
  | { id: number; op: 'score' | 'compare'; selfie: Uint8Array; document: Uint8Array }
  | { id: number; op: 'analyse'; bytes: Uint8Array; role: ImageRole }
  | { id: number; op: 'close' };

const port = parentPort;
if (!port) throw new Error('engineWorker must run in a worker thread');
const engine = await createInThreadEngine(workerData as OnnxEngineOptions);
port.postMessage({ ready: true, identity: engine.identity, calibration: engine.calibration });
port.on('message', async (request: WorkerRequest) => {
  try {
    let result: unknown;
    if (request.op === 'close') {
      await engine.close();
      result = null;
    } else if (request.op === 'analyse') {
      result = await engine.analyse(Buffer.from(request.bytes), request.role);
    } else {
      result = await engine[request.op](Buffer.from(request.selfie), Buffer.from(request.document));
    }
    port.postMessage({ id: request.id, result });
  } catch (error) {
    port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) });
  }
});
