import type { WorkKind } from '../../SandboxStore.ts';
import type { Sql } from '../database.ts';
import { addJobCall } from './jobPlacement.ts';

export interface JobPlacement {
  kind: WorkKind;
  id: string;
  /** From jobRunAt: an instant, or 'infinity'. */
  runAt: string;
}

/** Puts every job where its work falls due, in one statement of the caller's transaction. */
export async function scheduleJobs(tx: Sql, placements: readonly JobPlacement[]): Promise<void> {
  if (placements.length === 0) return;
  await tx.query(
    `SELECT count((${addJobCall('w.task', 'w.id', 'w.run_at')}).id)
       FROM unnest($1::text[], $2::text[], $3::text[]) AS w(task, id, run_at)`,
    [placements.map((p) => p.kind), placements.map((p) => p.id), placements.map((p) => p.runAt)],
  );
}
