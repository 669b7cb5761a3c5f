import { setTimeout as delay } from 'node:timers/promises';
import { runFlows } from '../flow/runFlows.ts';
import type { Flow } from './sandboxFlows.ts';
import { startSteadyLoad } from './steadyLoad.ts';

export interface RoundTripFigures {
  /** Flows that finished in the window, and of those the ones that failed. */
  flows: number;
  failed: number;
  concurrency: number;
  seconds: number;
  /** Every round trip in the window, divided by the flows that finished in it. */
  perFlow: number;
  /** What the instances send with nothing to do (job polls, heartbeats), per second. */
  idlePerSecond: number;
  /** perFlow less the idle rate over the window: an estimate of what the flows themselves cost. */
  perFlowNetOfIdle: number;
  /** The statements sent most often in the window, per flow (job polls and heartbeats included). */
  topStatements: Array<{ perFlow: number; text: string }>;
}

const SETTLE_MS = 500;
const TOP_STATEMENTS = 15;

/**
 * Round trips per flow, counted on the wire (`RoundTripCounter`): after the warm-up, the idle rate
 * over `idleSeconds`; then the same steady load as the throughput set-ups, counted over a window
 * of `seconds` that starts once a whole wave of flows has finished.
 */
export async function roundTripCensus(input: {
  flow: Flow;
  count: () => number;
  statements: () => Map<string, number>;
  seconds: number;
  warmup: number;
  concurrency: number;
  idleSeconds: number;
  signal: AbortSignal;
}): Promise<RoundTripFigures> {
  const { signal, concurrency } = input;
  const warm = await runFlows(input.warmup, concurrency, signal, input.flow, () => {});
  await delay(SETTLE_MS, undefined, { signal });
  const idleFrom = { at: performance.now(), trips: input.count() };
  await delay(input.idleSeconds * 1000, undefined, { signal });
  const idleTo = { at: performance.now(), trips: input.count() };
  const idlePerSecond = ((idleTo.trips - idleFrom.trips) * 1000) / (idleTo.at - idleFrom.at);
  const load = startSteadyLoad(input.flow, concurrency, input.warmup, signal);
  try {
    await load.rampedUp;
    const first = { at: performance.now(), trips: input.count(), done: load.results.length };
    const statementsBefore = input.statements();
    await delay(input.seconds * 1000, undefined, { signal });
    const last = { at: performance.now(), trips: input.count(), done: load.results.length };
    const statementsAfter = input.statements();
    const window = load.results.slice(first.done, last.done);
    const seconds = (last.at - first.at) / 1000;
    const trips = last.trips - first.trips;
    return {
      flows: window.length,
      failed: [...warm, ...window].filter((r) => r.failedStep).length,
      concurrency,
      seconds,
      perFlow: trips / window.length,
      idlePerSecond,
      perFlowNetOfIdle: (trips - idlePerSecond * seconds) / window.length,
      topStatements: [...statementsAfter]
        .map(([text, n]) => ({ text, perFlow: (n - (statementsBefore.get(text) ?? 0)) / window.length }))
        .sort((a, b) => b.perFlow - a.perFlow)
        .slice(0, TOP_STATEMENTS),
    };
  } finally {
    await load.stop();
  }
}
