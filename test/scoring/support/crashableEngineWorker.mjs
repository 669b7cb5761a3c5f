// The real inference worker (engineWorkerBootstrap.mjs → engineWorker.ts), plus one thing a test
// can ask of it: crash. `{ crash: message }` throws an uncaught error on the worker's own thread,
// as a bug in the pipeline would, between two steps of the comparison it is running.
// (worker.terminate() is no stand-in: inside a model run, onnxruntime-node aborts the whole process.)
import { parentPort } from 'node:worker_threads';

parentPort?.on('message', (message) => {
  if (message && typeof message.crash === 'string') {
    setImmediate(() => {
      throw new Error(message.crash);
    });
  }
});
await import('../../../src/scoring/onnx/engineWorkerBootstrap.mjs');
