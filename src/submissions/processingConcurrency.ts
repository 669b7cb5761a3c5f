/**
 * Scoring jobs in flight for `processing.concurrency`. `auto` keeps twice the engine's own
 * capacity going: while a job is being scored the next one is already read and waiting, so no
 * worker idles while the event loop fetches images or records a result. An engine without a
 * stated capacity (fixture) costs next to no CPU, so its jobs mostly wait on the store: 8 of them,
 * where 2 held a worker over PostgreSQL to half its rate (bench/sandbox).
 */
export function processingConcurrency(setting: 'auto' | number, engineCapacity: number | undefined): number {
  if (setting !== 'auto') return setting;
  return engineCapacity ? 2 * engineCapacity : 8;
}
