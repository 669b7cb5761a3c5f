import ort from 'onnxruntime-node';

export interface SessionSettings {
  /** Threads one `run` may use. 1 keeps several concurrent requests from fighting over 2 cores. */
  intraOpNumThreads: number;
  /** ORT's CPU arena: slightly faster runs for a permanently higher RSS. Default off. */
  memoryArena?: boolean;
}

/** One place that decides how every model session is opened, so all models behave alike. */
export async function createSession(file: string, settings: SessionSettings): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(file, {
    intraOpNumThreads: settings.intraOpNumThreads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // Level 3 (errors only): some exported graphs list weights as inputs, which ORT warns about on every load.
    logSeverityLevel: 3,
    // Without the arena, activation buffers (megabytes each for the detector at 416 px) go
    // back to the OS after every run instead of staying reserved at their peak for the
    // life of the process; this kept peak RSS under 300 MB with two comparisons in flight.
    enableCpuMemArena: settings.memoryArena ?? false,
    enableMemPattern: settings.memoryArena ?? false,
  });
}

export function outputData(outputs: ort.InferenceSession.OnnxValueMapType, name: string): Float32Array {
  const tensor = outputs[name];
  if (!tensor) throw new Error(`model produced no output named "${name}"`);
  return tensor.data as Float32Array;
}
