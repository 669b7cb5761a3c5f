import { availableParallelism } from 'node:os';

/**
 * How many inference workers `onnx.workers` asks for: `auto` is one per core the process may
 * use, because each worker keeps one core busy (one JS thread, intra-op threads 1).
 */
export function inferenceWorkerCount(setting: 'auto' | number): number {
  return setting === 'auto' ? availableParallelism() : setting;
}
