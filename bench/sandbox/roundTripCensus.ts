import { setTimeout as delay } from 'node:timers/promises';
import { runFlows } from '../flow/runFlows.ts';
import type { Flow } from './sandboxFlows.ts';

export interface RoundTripFigures {
  flows: number;
  failed: number;
  concurrency: number;
  seconds: number;
  /** Every round trip while the flows ran, divided by the flows. */
  perFlow: number;
  /** What the instances send with nothing to do (job polls, heartbeats), per second. */
  idlePerSecond: number;
  /** perFlow less the idle rate over the same time: what the flows themselves cost. */
  perFlowNetOfIdle: number;
}

const SETTLE_MS = 500;

/**
 * Round trips per flow, counted on the wire (`RoundTripCounter`): after the warm-up, the idle rate
 * over `idleSeconds`, then `flows` flows; the count runs until every flow has read its details and
 * half a second more, for the delivery records written after the last callbacks were answered.
 */
export async function roundTripCensus(input: {
  flow: Flow;
  count: () => number;
  flows: number;
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
  const results = await runFlows(
    input.flows,
    concurrency,
    signal,
    (index) => input.flow(input.warmup + index),
    () => {},
  );
  await delay(SETTLE_MS, undefined, { signal });
  const seconds = (performance.now() - idleTo.at) / 1000;
  const trips = input.count() - idleTo.trips;
  const failed = [...warm, ...results].filter((r) => r.failedStep).length;
  return {
    flows: results.length,
    failed,
    concurrency,
    seconds,
    perFlow: trips / results.length,
    idlePerSecond,
    perFlowNetOfIdle: (trips - idlePerSecond * seconds) / results.length,
  };
}
