import type { Sql } from '../database.ts';

export interface LivenessSettings {
  /** How often a running work queue says it is alive, and looks for dead ones. */
  heartbeatMs: number;
  /** A work queue silent for longer than this is dead: its jobs are unlocked for others. */
  deadAfterMs: number;
}

/**
 * Take-over of a dead instance's jobs. graphile-worker unlocks a job left locked by a crashed
 * process only after 4 hours; a sandbox cannot wait that long for a callback. So each running work
 * queue keeps a row in facematch.instances with the ids its graphile-worker pools and workers lock
 * jobs as (`locked_by`), stamps it every `heartbeatMs`, and on every beat looks for
 *
 * - instances silent for more than `deadAfterMs`: their rows go and their lockers are unlocked;
 * - jobs locked for more than `deadAfterMs` by a locker no live instance owns (an instance that
 *   died before its first beat named it): unlocked too,
 *
 * through graphile-worker's forceUnlockWorkers. A dead instance's jobs are therefore free again at
 * most deadAfterMs + heartbeatMs after its last beat, and running on another instance one poll
 * interval later: 10 s + 2 s + 0.25 s with the defaults.
 */
export async function startLiveness(deps: {
  sql: Sql;
  instanceId: string;
  /** For a human reading facematch.instances: host, process, role. */
  description: string;
  /** Every id this work queue's jobs are locked as, so far. */
  lockers: () => string[];
  settings: LivenessSettings;
  forceUnlock: (lockers: string[]) => Promise<void>;
  log: { warn(message: string): void };
}): Promise<{ beat(): Promise<void>; stop(): Promise<void> }> {
  const { sql, instanceId, settings } = deps;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  async function takeOver(): Promise<void> {
    const { rows } = await sql.query(
      `WITH live AS (
         SELECT locker_ids FROM facematch.instances
          WHERE heartbeat_at >= clock_timestamp() - $2 * interval '1 millisecond' OR id = $1
       ),
       dead AS (
         DELETE FROM facematch.instances
          WHERE heartbeat_at < clock_timestamp() - $2 * interval '1 millisecond' AND id <> $1
         RETURNING id, locker_ids
       )
       SELECT
         (SELECT coalesce(array_agg(id), '{}') FROM dead) AS dead_instances,
         (SELECT coalesce(array_agg(DISTINCT locker), '{}') FROM dead, unnest(dead.locker_ids) AS locker)
           AS dead_lockers,
         (SELECT coalesce(array_agg(DISTINCT j.locked_by), '{}') FROM facematch_jobs.jobs j
           WHERE j.locked_by IS NOT NULL AND j.locked_at < $3
             AND NOT EXISTS (SELECT 1 FROM live, unnest(live.locker_ids) AS locker WHERE locker = j.locked_by))
           AS orphan_lockers`,
      // Heartbeats are stamped with the database's clock; graphile-worker stamps locked_at with
      // the locking process's (useNodeTime), so the orphan test uses ours.
      [instanceId, settings.deadAfterMs, new Date(Date.now() - settings.deadAfterMs)],
    );
    const row = rows[0];
    const lockers = [...new Set<string>([...(row?.dead_lockers ?? []), ...(row?.orphan_lockers ?? [])])];
    if (lockers.length === 0) return;
    await deps.forceUnlock(lockers);
    const instances: string[] = row?.dead_instances ?? [];
    deps.log.warn(
      `work queue: took over the jobs of ${instances.length > 0 ? `instance(s) ${instances.join(', ')}` : 'workers no live instance owns'}, silent for more than ${settings.deadAfterMs} ms (unlocked ${lockers.join(', ')})`,
    );
  }

  async function beatOnce(): Promise<void> {
    if (stopped) return;
    await sql.query(
      `INSERT INTO facematch.instances (id, locker_ids, description) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET locker_ids = EXCLUDED.locker_ids, heartbeat_at = clock_timestamp()`,
      [instanceId, deps.lockers(), deps.description],
    );
    await takeOver();
  }

  /** One beat at a time; a beat that fails (database away) is simply tried again next time. */
  const beat = () => {
    running = running.then(() => beatOnce().catch(() => undefined));
    return running;
  };

  await beatOnce();
  const timer = setInterval(beat, settings.heartbeatMs);
  timer.unref();

  return {
    beat,
    async stop() {
      clearInterval(timer);
      stopped = true;
      await running;
      await sql.query('DELETE FROM facematch.instances WHERE id = $1', [instanceId]).catch(() => undefined);
    },
  };
}
