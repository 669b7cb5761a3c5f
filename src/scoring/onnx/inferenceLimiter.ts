/** Raised when more comparisons are waiting than the engine agreed to hold. */
export class EngineBusyError extends Error {
  constructor(limit: number) {
    super(`scoring engine busy: ${limit} comparisons already waiting; retry later`);
    this.name = 'EngineBusyError';
  }
}

export interface InferenceLimiter {
  run<T>(task: () => Promise<T>): Promise<T>;
  readonly active: number;
  readonly waiting: number;
}

/**
 * At most `concurrency` comparisons in flight, at most `maxWaiting` queued behind them.
 * onnxruntime-node's `run` returns a promise but executes the model on the main thread
 * inside a setImmediate callback, so each model run is one event-loop slice (5–25 ms
 * per run here on an idle core) and other requests get the loop back between runs.
 * Bounding the comparisons in flight keeps the number of such slices queued at once,
 * and memory, flat under a burst of uploads instead of starting them all together.
 */
export function createInferenceLimiter(concurrency: number, maxWaiting: number): InferenceLimiter {
  let active = 0;
  const queue: (() => void)[] = [];
  const release = () => {
    active--;
    const next = queue.shift();
    if (next) {
      active++;
      next();
    }
  };
  return {
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (active >= concurrency) {
        if (queue.length >= maxWaiting) throw new EngineBusyError(maxWaiting);
        await new Promise<void>((resolve) => queue.push(resolve));
      } else {
        active++;
      }
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
