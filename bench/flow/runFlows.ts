import type { FlowResult } from './runFlow.ts';

/**
 * Runs `count` flows with at most `concurrency` in flight: each worker takes
 * the next index as soon as its flow ends, so the server sees a steady load
 * rather than waves. No new flow starts once the signal is aborted.
 */
export async function runFlows(
  count: number,
  concurrency: number,
  signal: AbortSignal,
  flow: (index: number) => Promise<FlowResult>,
  progress: (done: number) => void,
): Promise<FlowResult[]> {
  const results: FlowResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count && !signal.aborted) {
      const index = next++;
      results.push(await flow(index));
      progress(results.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

/** Progress on stderr at every 10 %, so stdout stays the report alone. */
export function progressEvery10Percent(total: number, started: number): (done: number) => void {
  let lastDecile = 0;
  return (done) => {
    const decile = Math.floor((done * 10) / total);
    if (decile <= lastDecile) return;
    lastDecile = decile;
    const seconds = (performance.now() - started) / 1000;
    process.stderr.write(
      `  ${String(decile * 10).padStart(3)} %  ${done}/${total} flows  ${seconds.toFixed(1)} s  ${(done / seconds).toFixed(1)} flows/s\n`,
    );
  };
}
