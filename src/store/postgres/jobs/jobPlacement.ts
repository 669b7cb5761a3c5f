import { type ClockState, wallTimeOf } from '../../../domain/clockState.ts';
import type { WorkKind } from '../../SandboxStore.ts';

/** graphile-worker's tables and functions live here, beside (not inside) the `facematch` schema. */
export const JOBS_SCHEMA = 'facematch_jobs';

/** One job per piece of work: re-scheduling it replaces the job rather than adding another. */
export function jobKey(kind: WorkKind, id: string): string {
  return `${kind}:${id}`;
}

/**
 * When graphile-worker must run the work due at `dueAt` on the partner's business clock: the wall
 * time that clock reaches it (domain `wallTimeOf`), or 'infinity' while a frozen clock holds it.
 * `wallNow` is the store's wall clock (StoreOptions.now); graphile-worker compares run_at with
 * Node's own clock (useNodeTime), so the instant is carried over by the difference between the two:
 * a test that moves the store's wall clock moves due work with it.
 */
export function jobRunAt(dueAt: Date, clock: ClockState, wallNow: Date): string {
  const wall = wallTimeOf(dueAt, clock, wallNow.getTime());
  if (wall === null) return 'infinity';
  return new Date(Date.now() + (wall - wallNow.getTime())).toISOString();
}

/**
 * SQL calling add_job for one piece of work (job_key replace mode: a job not yet running is moved
 * to the new time; one running keeps running and a new one is queued). The arguments are SQL
 * expressions: the task, the id (text) and the run_at (text: an instant or 'infinity').
 */
export function addJobCall(task: string, id: string, runAt: string): string {
  return `${JOBS_SCHEMA}.add_job(${task}::text, json_build_object('id', ${id}::text), run_at => ${runAt}::timestamptz, job_key => ${task}::text || ':' || ${id}::text, job_key_mode => 'replace')`;
}

/** SQL calling remove_job: a queued job goes; a running one is kept from retrying. */
export function removeJobCall(task: string, id: string): string {
  return `${JOBS_SCHEMA}.remove_job(${task}::text || ':' || ${id}::text)`;
}
