import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { type Logger, run, type Task, type WorkerEvents, type WorkerUtils } from 'graphile-worker';
import type pg from 'pg';
import type { StoreOptions, WorkHandlers, WorkKind, WorkQueue } from '../../SandboxStore.ts';
import { clockOf, initialFrozenAt } from '../clockTable.ts';
import { createDatabase, type Database, type QueryCounter } from '../database.ts';
import { cutoffs } from '../retention.ts';
import { reaching } from '../storageErrors.ts';
import { type LivenessSettings, startLiveness } from './instanceLiveness.ts';
import { addJobCall, JOBS_SCHEMA, jobRunAt } from './jobPlacement.ts';
import { countPending, currentRevision, nextDueOf } from './pendingWork.ts';
import { superviseRunner } from './superviseRunner.ts';

export interface WorkQueueSettings extends LivenessSettings {
  /** How often an idle graphile-worker runner looks for jobs that fell due (new ones it hears of). */
  pollIntervalMs: number;
}

/** How often settled and idle look at the state again. */
const STATE_POLL_MS = 25;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The work queue on graphile-worker (schema facematch_jobs): one runner per task, `process` and
 * `deliver`, each with its own concurrency, taking jobs whose run_at the steps set (see
 * jobPlacement) and handing the id to the flow's handler. A handler that throws is retried with
 * graphile-worker's backoff; a handler cut short by stop() has its job put back where its work
 * falls due, for the next start or another instance.
 */
export function createWorkQueue(deps: {
  db: Database;
  options: StoreOptions;
  /** A pool for the runners of one start, ended when they stop. */
  runnerPool: (size: number) => pg.Pool;
  utils: WorkerUtils;
  logger: Logger;
  instanceId: string;
  counter: QueryCounter;
  settings: WorkQueueSettings;
  log: { warn(message: string): void; error(message: string, error?: unknown): void };
}): WorkQueue & { close(): Promise<void> } {
  const { db, options, settings } = deps;
  let active:
    | {
        runners: Array<{ stop(): Promise<void> }>;
        pool: pg.Pool;
        /** The tasks run here (a kind with concurrency 0 is not). */
        kinds: WorkKind[];
        abort: AbortController;
        liveness: { beat(): Promise<void>; stop(): Promise<void> };
      }
    | undefined;
  let starting: Promise<void> | undefined;
  let running = 0;
  /** While draining: up to when scoring that falls due is still run (Node's clock, as run_at is). */
  let draining: { until: number } | undefined;

  /** Puts the job of an item back in place (add_job replaces the running one's key), if still pending. */
  async function putBack(kind: WorkKind, id: string): Promise<void> {
    await db.transaction(async (tx) => {
      const { rows } =
        kind === 'process'
          ? await tx.query(
              `SELECT s.process_due_at AS due_at, c.offset_ms, c.frozen_at_ms
                 FROM facematch.submissions s CROSS JOIN LATERAL facematch.partner_clock(s.partner_id, $3, false) c
                WHERE s.correlation_id = $1 AND s.created_at > $2
                  AND s.status = 'PROCESSING' AND s.process_due_at IS NOT NULL
                FOR UPDATE OF s`,
              [id, cutoffs(options).submissions, initialFrozenAt(options)],
            )
          : await tx.query(
              `SELECT d.next_attempt_at AS due_at, c.offset_ms, c.frozen_at_ms
                 FROM facematch.deliveries d
                 JOIN facematch.submissions s ON s.correlation_id = d.correlation_id
                 CROSS JOIN LATERAL facematch.partner_clock(d.partner_id, $3, false) c
                WHERE d.webhook_id = $1 AND s.created_at > $2
                  AND d.next_attempt_at IS NOT NULL
                FOR UPDATE OF d`,
              [id, cutoffs(options).submissions, initialFrozenAt(options)],
            );
      const row = rows[0];
      if (!row) return;
      await tx.query(`SELECT (${addJobCall('$1', '$2', '$3')}).id`, [
        kind,
        id,
        jobRunAt(row.due_at, clockOf(row as never), options.now()),
      ]);
    });
  }

  function task(kind: WorkKind, handlers: WorkHandlers, abort: AbortController): Task {
    return async (payload, helpers) => {
      const id = (payload as { id?: unknown } | null)?.id;
      if (typeof id !== 'string') return;
      if (draining && kind === 'process' && helpers.job.run_at.getTime() > draining.until) {
        // Falls due after the drain time: left (in a job of its own) for the next start or another
        // instance. (A runner only takes jobs already due; this guards a clock moved meanwhile.)
        await putBack(kind, id);
        return;
      }
      const { signal } = abort;
      running += 1;
      try {
        await handlers[kind](id, signal);
      } catch (error) {
        // Thrown while stopping: not a failure to retry later, the job goes back in place below.
        if (!signal.aborted) throw error;
      } finally {
        running -= 1;
      }
      if (signal.aborted) await putBack(kind, id);
    };
  }

  async function startRunners(
    handlers: WorkHandlers,
    concurrency: { processConcurrency: number; deliverConcurrency: number },
  ): Promise<void> {
    const abort = new AbortController();
    // Each runner holds a LISTEN connection; its workers take and finish jobs in short queries (a
    // handler holds none while it runs), so a few connections serve them all; one more for the
    // heartbeat. Sized by the job count, a worker held some 25 connections and a few instances
    // filled PostgreSQL's 100.
    const pool = deps.runnerPool(
      Math.min(concurrency.processConcurrency + concurrency.deliverConcurrency, 4) + 3,
    );
    const lockers = new Set<string>();
    const events: WorkerEvents = new EventEmitter();
    // In graphile-worker 0.17 jobs are locked by the pool's id; its workers' ids are kept too.
    events.on('pool:create', ({ workerPool }) => lockers.add(workerPool.id));
    events.on('worker:create', ({ worker }) => lockers.add(worker.workerId));
    // A runner that ended (see superviseRunner) no longer owns what it locked: the take-over frees it.
    events.on('pool:release', ({ workerPool }) => lockers.delete(workerPool.id));
    events.on('worker:release', ({ worker }) => lockers.delete(worker.workerId));
    const liveness = await startLiveness({
      // On the jobs pool: a main pool busy with steps must not delay a heartbeat into a false death.
      sql: createDatabase(pool, deps.counter),
      instanceId: deps.instanceId,
      description: `${hostname()} pid ${process.pid}`,
      lockers: () => [...lockers],
      settings,
      forceUnlock: (ids) => deps.utils.forceUnlockWorkers(ids),
      log: deps.log,
    }).catch(async (error: unknown) => {
      await pool.end();
      throw error;
    });
    const runners: Array<{ stop(): Promise<void> }> = [];
    const kinds: WorkKind[] = [];
    try {
      for (const [kind, count] of [
        ['process', concurrency.processConcurrency],
        ['deliver', concurrency.deliverConcurrency],
      ] as const) {
        // No handler of a kind here (concurrency 0): other instances run that kind.
        if (count < 1) continue;
        kinds.push(kind);
        runners.push(
          await superviseRunner(
            () =>
              run({
                pgPool: pool,
                schema: JOBS_SCHEMA,
                concurrency: count,
                pollInterval: settings.pollIntervalMs,
                noHandleSignals: true,
                useNodeTime: true,
                logger: deps.logger,
                events,
                taskList: { [kind]: task(kind, handlers, abort) },
                parsedCronItems: [],
                // Batched: a job's end is recorded with retries and back-off. Unbatched (the
                // default), graphile-worker records it without waiting, and a database away at
                // that moment ends the whole process with an unhandled rejection.
                preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
              }),
            deps.log.warn,
          ),
        );
      }
    } catch (error) {
      await Promise.allSettled(runners.map((runner) => runner.stop()));
      await liveness.stop();
      await pool.end();
      throw error;
    }
    // The lockers are named at once, not a heartbeat later.
    await liveness.beat();
    active = { runners, pool, kinds, abort, liveness };
  }

  /**
   * Lets the runners take what is due (here or on another instance) and the scoring that falls due
   * before `until`, then shuts them down gracefully; a callback retry due later is left in its job.
   */
  async function drain(until?: Date): Promise<void> {
    await starting?.catch(() => undefined);
    const current = active;
    if (!current) return;
    const state = { until: (until ?? new Date()).getTime() };
    draining = state;
    try {
      // Until stop() ends the runners first, that is: then nothing more is taken here anyway.
      while (active === current) {
        const { rows } = await db.query(
          `SELECT count(*)::int AS n FROM ${JOBS_SCHEMA}.jobs
            WHERE task_identifier = ANY($1) AND locked_at IS NULL AND attempts < max_attempts
              AND (run_at <= $2 OR (task_identifier = 'process' AND run_at <= $3))`,
          [current.kinds, new Date(), new Date(state.until)],
        );
        if (rows[0]?.n === 0 && running === 0) break;
        await sleep(STATE_POLL_MS);
      }
    } catch {
      // The database is away: nothing more can be taken; what runs here still ends below.
    } finally {
      await shutDown();
      draining = undefined;
    }
  }

  /** Graceful: graphile-worker stops taking jobs and waits for the running ones. */
  async function shutDown(): Promise<void> {
    await starting?.catch(() => undefined);
    const current = active;
    active = undefined;
    if (!current) return;
    await Promise.allSettled(current.runners.map((runner) => runner.stop()));
    await current.liveness.stop();
    await current.pool.end().catch(() => undefined);
  }

  const queue: WorkQueue & { close(): Promise<void> } = {
    start: (handlers, concurrency) =>
      reaching('work.start', async () => {
        if (active || starting) throw new Error('the work queue is already running; drain or stop it first');
        starting = startRunners(handlers, concurrency);
        try {
          await starting;
        } finally {
          starting = undefined;
        }
      }),
    nextDue: (partnerId, upTo) =>
      reaching('work.nextDue', () => nextDueOf(db, partnerId, upTo, cutoffs(options).submissions)),
    pending: (partnerId) =>
      reaching('work.pending', () => countPending(db, partnerId, cutoffs(options).submissions)),
    settled: (item, timeoutMs) =>
      reaching('work.settled', async () => {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const revision = await currentRevision(db, item.kind, item.id, cutoffs(options).submissions);
          if (revision !== item.revision) return true;
          if (Date.now() >= deadline) return false;
          await sleep(Math.min(STATE_POLL_MS, Math.max(1, deadline - Date.now())));
        }
      }),
    drain: (until) => drain(until),
    async stop() {
      await starting?.catch(() => undefined);
      active?.abort.abort(new Error('the work queue is stopping'));
      await shutDown();
    },
    idle: () =>
      reaching('work.idle', async () => {
        for (;;) {
          if (running === 0 && (await countPending(db, null, cutoffs(options).submissions)) === 0) return;
          await sleep(STATE_POLL_MS);
        }
      }),
    close: () => queue.stop(),
  };
  return queue;
}
