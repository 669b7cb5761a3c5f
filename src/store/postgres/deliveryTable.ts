import { type CallbackDeliveryRecord, reopenDelivery } from '../../domain/CallbackDelivery.ts';
import type { DeliveryFilter, DeliveryStore, RedeliverAnswer, StateChange } from '../SandboxStore.ts';
import { clockOf, initialFrozenAt, lockPartnerClock } from './clockTable.ts';
import type { Sql } from './database.ts';
import { addJobCall, jobRunAt, removeJobCall } from './jobs/jobPlacement.ts';
import { cutoffs } from './retention.ts';
import { reaching } from './storageErrors.ts';
import type { StoreContext } from './storeContext.ts';

/** When the record's next attempt falls due, if one is to come (a retry, or a forced repeat). */
function nextAttemptDue(record: CallbackDeliveryRecord): Date | null {
  return record.nextAttemptAt ? new Date(record.nextAttemptAt) : null;
}

export function createDeliveryTable(ctx: StoreContext): DeliveryStore {
  const { db, options, origin, feed } = ctx;

  /** The job time of the record's next attempt, on the partner's clock (locked, before any job). */
  async function placement(tx: Sql, record: CallbackDeliveryRecord): Promise<string | null> {
    const due = nextAttemptDue(record);
    if (!due) return null;
    const clock = await lockPartnerClock(tx, record.partnerId, options);
    return jobRunAt(due, clock, options.now());
  }

  /**
   * Replaces the record if its revision is still `revision`, with its job scheduled (`runAt`) or
   * removed, and publishes a callback attempt when the new record has more attempts than the old:
   * one statement. The old attempt count is read from the statement's snapshot, which is the row
   * replaced whenever the revision still matches (every write bumps it).
   */
  async function replace(
    sql: Sql,
    next: CallbackDeliveryRecord,
    revision: number,
    runAt: string | null,
  ): Promise<{ attemptAdded: StateChange | null } | undefined> {
    const change: StateChange = {
      kind: 'callback-attempt',
      correlationId: next.correlationId,
      partnerId: next.partnerId,
      webhookId: next.id,
    };
    const { rows } = await sql.query(
      `WITH replaced AS (
         UPDATE facematch.deliveries d
            SET record = $3::json, state = $4, next_attempt_at = $5, revision = $2::int + 1
           FROM (SELECT json_array_length(record->'attempts') AS attempts
                   FROM facematch.deliveries WHERE webhook_id = $1) prior,
                facematch.submissions s
          WHERE d.webhook_id = $1 AND d.revision = $2 AND s.correlation_id = d.correlation_id AND s.created_at > $6
         RETURNING prior.attempts
       ),
       scheduled AS (
         SELECT (${addJobCall("'deliver'", '$1', '$7')}).id FROM replaced WHERE $7::text IS NOT NULL
         UNION ALL
         SELECT (${removeJobCall("'deliver'", '$1')}).id FROM replaced WHERE $7::text IS NULL
       ),
       published AS (
         SELECT facematch.publish_change($8, $9::json) FROM replaced WHERE replaced.attempts < $10
       )
       SELECT replaced.attempts < $10 AS attempt_added,
              (SELECT count(*) FROM scheduled) AS scheduled, (SELECT count(*) FROM published) AS published
         FROM replaced`,
      [
        next.id,
        revision,
        JSON.stringify({ ...next, revision: revision + 1 }),
        next.state,
        nextAttemptDue(next) ? next.nextAttemptAt : null,
        cutoffs(options).submissions,
        runAt,
        origin,
        JSON.stringify(change),
        next.attempts.length,
      ],
    );
    const row = rows[0];
    if (!row) return undefined;
    return { attemptAdded: row.attempt_added ? change : null };
  }

  return {
    get: (webhookId) =>
      reaching('deliveries.get', async () => {
        const { rows } = await db.query(
          `SELECT d.record FROM facematch.deliveries d
             JOIN facematch.submissions s ON s.correlation_id = d.correlation_id
            WHERE d.webhook_id = $1 AND s.created_at > $2`,
          [webhookId, cutoffs(options).submissions],
        );
        return rows[0]?.record;
      }),

    list: (filter: DeliveryFilter) =>
      reaching('deliveries.list', async () => {
        const values: unknown[] = [cutoffs(options).submissions];
        const where = ['s.created_at > $1'];
        const match = (column: string, value: unknown) => {
          if (value === undefined) return;
          values.push(value);
          where.push(`${column} = $${values.length}`);
        };
        match('d.partner_id', filter.partnerId);
        match('d.correlation_id', filter.correlationId);
        match('d.state', filter.state);
        const { rows } = await db.query(
          `SELECT d.record FROM facematch.deliveries d
             JOIN facematch.submissions s ON s.correlation_id = d.correlation_id
            WHERE ${where.join(' AND ')}
            ORDER BY d.created_at DESC, d.webhook_id DESC`,
          values,
        );
        return rows.map((row) => row.record as CallbackDeliveryRecord);
      }),

    compareAndSet: (next, revision) =>
      reaching('deliveries.compareAndSet', async () => {
        // Given up or delivered: nothing to schedule, so one statement does it all.
        const replaced = nextAttemptDue(next)
          ? await db.transaction(async (tx) => replace(tx, next, revision, await placement(tx, next)))
          : await replace(db, next, revision, null);
        if (replaced?.attemptAdded) feed.emit(replaced.attemptAdded);
        return replaced !== undefined;
      }),

    redeliver: (webhookId, at) =>
      reaching('deliveries.redeliver', () =>
        db.transaction(async (tx): Promise<RedeliverAnswer> => {
          // The partner's clock first, then the delivery, as every step takes them.
          const { rows } = await tx.query(
            `SELECT d.record, c.offset_ms, c.frozen_at_ms
               FROM facematch.deliveries d
               JOIN facematch.submissions s ON s.correlation_id = d.correlation_id
               CROSS JOIN LATERAL facematch.partner_clock(d.partner_id, $3, false) c
              WHERE d.webhook_id = $1 AND s.created_at > $2
              FOR UPDATE OF d`,
            [webhookId, cutoffs(options).submissions, initialFrozenAt(options)],
          );
          const record: CallbackDeliveryRecord | undefined = rows[0]?.record;
          if (!record) return { kind: 'not-found' };
          const reopened = reopenDelivery(record, at);
          if (!reopened) return { kind: 'in-progress', record };
          const stored = { ...reopened, revision: record.revision + 1 };
          const due = nextAttemptDue(reopened);
          const runAt = due ? jobRunAt(due, clockOf(rows[0] as never), options.now()) : null;
          await replace(tx, reopened, record.revision, runAt);
          return { kind: 'started', record: stored };
        }),
      ),
  };
}
