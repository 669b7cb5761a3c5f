import type { FlowResult } from '../flow/runFlow.ts';
import { runFlows } from '../flow/runFlows.ts';
import type { Flow } from './sandboxFlows.ts';

export interface SteadyLoad {
  /** Flows finished so far, in the order they finished (passed or not). */
  results: FlowResult[];
  /** Once a whole wave has finished (`concurrency` flows) or 5 s have passed: the load is steady. */
  rampedUp: Promise<void>;
  /** Starts no new flow and waits for those in flight. */
  stop(): Promise<FlowResult[]>;
}

const RAMP_LIMIT_MS = 5000;

/**
 * Complete flows, `concurrency` in flight, a new one as soon as one ends, until stopped: a load
 * measured over time rather than a count, so a slow set-up and a fast one are measured for as long.
 */
export function startSteadyLoad(
  flow: Flow,
  concurrency: number,
  firstIndex: number,
  signal: AbortSignal,
): SteadyLoad {
  const stopStarting = new AbortController();
  const results: FlowResult[] = [];
  let rampedUp: () => void = () => {};
  const ramp = new Promise<void>((resolve) => {
    rampedUp = resolve;
  });
  const rampLimit = setTimeout(() => rampedUp(), RAMP_LIMIT_MS);
  void ramp.then(() => clearTimeout(rampLimit));
  const running = runFlows(
    Number.MAX_SAFE_INTEGER,
    concurrency,
    AbortSignal.any([signal, stopStarting.signal]),
    async (index) => {
      const result = await flow(firstIndex + index);
      results.push(result);
      if (results.length >= concurrency) rampedUp();
      return result;
    },
    () => {},
  );
  return {
    results,
    rampedUp: ramp,
    async stop() {
      stopStarting.abort();
      await running;
      rampedUp();
      return results;
    },
  };
}
