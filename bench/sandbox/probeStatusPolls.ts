import { type Summary, summarise } from '../flow/percentiles.ts';
import type { SteadyLoad } from './steadyLoad.ts';

export interface PollFigures {
  pollers: number;
  seconds: number;
  latencyMs: Summary;
  pollsPerSecond: number;
  errors: number;
  errorSamples: string[];
  /** The load the polls met: flows finished per second during the probe. */
  loadFlowsPerSecond: number;
}

export interface PollTarget {
  correlationId: string;
  token: string;
}

/**
 * Status polls under load: while `load` keeps its flows in flight, `pollers` loops each send
 * `GET …/status` for submissions of earlier flows to one instance, one after another with no
 * pause, for `seconds` (a partner population polling hard). Every poll has its own timeout; an
 * answer other than 200 is an error.
 */
export async function probeStatusPolls(input: {
  url: string;
  targets: PollTarget[];
  pollers: number;
  seconds: number;
  requestTimeoutMs: number;
  load: SteadyLoad;
  signal: AbortSignal;
}): Promise<PollFigures> {
  const { signal } = input;
  if (input.targets.length === 0) throw new Error('no submission to poll: no flow had passed');
  const finishedBefore = input.load.results.length;
  const started = performance.now();
  const until = started + input.seconds * 1000;
  const latencies: number[] = [];
  const errors = new Map<string, number>();
  let next = 0;
  const poller = async () => {
    while (performance.now() < until && !signal.aborted) {
      const target = input.targets[next++ % input.targets.length] as PollTarget;
      const sent = performance.now();
      try {
        const response = await fetch(`${input.url}/v1/submissions/${target.correlationId}/status`, {
          headers: { authorization: `Bearer ${target.token}` },
          signal: AbortSignal.any([signal, AbortSignal.timeout(input.requestTimeoutMs)]),
        });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
        latencies.push(performance.now() - sent);
      } catch (error) {
        if (signal.aborted) break;
        const key = (error as Error).message;
        errors.set(key, (errors.get(key) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: input.pollers }, poller));
  const seconds = (performance.now() - started) / 1000;
  return {
    pollers: input.pollers,
    seconds,
    latencyMs: summarise(latencies),
    pollsPerSecond: latencies.length / seconds,
    errors: [...errors.values()].reduce((a, b) => a + b, 0),
    errorSamples: [...errors].map(([message, n]) => `${n}× ${message}`).slice(0, 4),
    loadFlowsPerSecond: (input.load.results.length - finishedBefore) / seconds,
  };
}
