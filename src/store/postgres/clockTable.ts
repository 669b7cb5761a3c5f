import type { ClockState } from '../../domain/clockState.ts';
import type { ClockStore, StoreOptions } from '../SandboxStore.ts';
import type { Sql } from './database.ts';
import { jobRunAt } from './jobs/jobPlacement.ts';
import { pendingWorkOf } from './jobs/pendingWork.ts';
import { scheduleJobs } from './jobs/scheduleJobs.ts';
import { cutoffs } from './retention.ts';
import { reaching } from './storageErrors.ts';
import type { StoreContext } from './storeContext.ts';

/** A frozen first clock stands at the wall time it was first used; a real one needs nothing. */
export function initialFrozenAt(options: StoreOptions): number | null {
  return options.initialClock === 'frozen' ? options.now().getTime() : null;
}

export function clockOf(row: {
  offset_ms: string | number;
  frozen_at_ms: string | number | null;
}): ClockState {
  return {
    offsetMs: Number(row.offset_ms),
    frozenAtMs: row.frozen_at_ms === null ? null : Number(row.frozen_at_ms),
  };
}

/**
 * The partner's clock inside a step that schedules work, locked shared: a clock change waits for
 * the step to commit and then re-projects what it wrote. Take it before touching any job, so no
 * step holds a job while waiting for the clock a clock change holds.
 */
export async function lockPartnerClock(
  tx: Sql,
  partnerId: string,
  options: StoreOptions,
): Promise<ClockState> {
  const { rows } = await tx.query(
    'SELECT offset_ms, frozen_at_ms FROM facematch.partner_clock($1, $2, false)',
    [partnerId, initialFrozenAt(options)],
  );
  return clockOf(rows[0] as never);
}

export function createClockTable(ctx: StoreContext): ClockStore {
  const { db, options } = ctx;
  return {
    get: (partnerId) =>
      reaching('clocks.get', async () => {
        // Almost always there already: one round trip. The first read makes it as initialClock says.
        const { rows } = await db.query(
          `WITH made AS (
             INSERT INTO facematch.partner_clocks (partner_id, offset_ms, frozen_at_ms) VALUES ($1, 0, $2)
             ON CONFLICT (partner_id) DO NOTHING RETURNING offset_ms, frozen_at_ms
           )
           SELECT offset_ms, frozen_at_ms FROM made
           UNION ALL
           SELECT offset_ms, frozen_at_ms FROM facematch.partner_clocks WHERE partner_id = $1`,
          [partnerId, initialFrozenAt(options)],
        );
        if (rows[0]) return clockOf(rows[0] as never);
        // Another instance made it between this statement's snapshot and its insert.
        const again = await db.query(
          'SELECT offset_ms, frozen_at_ms FROM facematch.partner_clocks WHERE partner_id = $1',
          [partnerId],
        );
        return clockOf(again.rows[0] as never);
      }),
    update: (partnerId, change) =>
      reaching('clocks.update', () =>
        db.transaction(async (tx) => {
          const { rows } = await tx.query(
            'SELECT offset_ms, frozen_at_ms FROM facematch.partner_clock($1, $2, true)',
            [partnerId, initialFrozenAt(options)],
          );
          const next = change(clockOf(rows[0] as never));
          if (
            !Number.isFinite(next.offsetMs) ||
            (next.frozenAtMs !== null && !Number.isFinite(next.frozenAtMs))
          ) {
            throw new RangeError(`a clock needs finite numbers, got ${JSON.stringify(next)}`);
          }
          const stored: ClockState = {
            offsetMs: Math.round(next.offsetMs),
            frozenAtMs: next.frozenAtMs === null ? null : Math.round(next.frozenAtMs),
          };
          await tx.query(
            'UPDATE facematch.partner_clocks SET offset_ms = $2, frozen_at_ms = $3 WHERE partner_id = $1',
            [partnerId, stored.offsetMs, stored.frozenAtMs],
          );
          // Every pending item of the partner moves onto the new time, in this same step.
          const wallNow = options.now();
          const pending = await pendingWorkOf(tx, partnerId, cutoffs(options).submissions);
          await scheduleJobs(
            tx,
            pending.map((item) => ({
              kind: item.kind,
              id: item.id,
              runAt: jobRunAt(item.dueAt, stored, wallNow),
            })),
          );
          return stored;
        }),
      ),
  };
}
