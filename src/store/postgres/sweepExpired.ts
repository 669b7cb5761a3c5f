import { CLAIM_TIMEOUT_MS, type SandboxStore, type StateChange } from '../SandboxStore.ts';
import { removeJobCall } from './jobs/jobPlacement.ts';
import { LOCK_CLASS } from './partnerLocks.ts';
import { cutoffs } from './retention.ts';
import { reaching } from './storageErrors.ts';
import type { StoreContext } from './storeContext.ts';

/**
 * `sweepExpired`: deletes what reads already hide, in one transaction that only one instance runs at
 * a time (a try-lock: the others return zeros at once rather than queue up to repeat the work).
 * Face images go by their upload time; expired submissions take their remaining images, delivery
 * and counters with them (cascade) and their jobs are removed; answers go by their storage time,
 * and claims never answered once they are older than an answer would live.
 */
export function createSweep(ctx: StoreContext): SandboxStore['sweepExpired'] {
  const { db, options, origin, feed } = ctx;
  return () =>
    reaching('sweepExpired', () =>
      db.transaction(async (tx) => {
        const zeros = { images: 0, submissions: 0, answers: 0 };
        const { rows: lock } = await tx.query('SELECT pg_try_advisory_xact_lock($1, 0) AS mine', [
          LOCK_CLASS.sweep,
        ]);
        if (!lock[0]?.mine) return zeros;
        const limits = cutoffs(options);
        const { rows } = await tx.query(
          `WITH images AS (DELETE FROM facematch.images WHERE stored_at <= $1 RETURNING 1),
           expired AS (SELECT correlation_id FROM facematch.submissions WHERE created_at <= $2),
           unscheduled AS (
             SELECT count((${removeJobCall('w.task', 'w.id')}).id) AS n FROM (
               SELECT 'process' AS task, s.correlation_id AS id FROM facematch.submissions s
                 JOIN expired e ON e.correlation_id = s.correlation_id WHERE s.status = 'PROCESSING'
               UNION ALL
               SELECT 'deliver', d.webhook_id FROM facematch.deliveries d
                 JOIN expired e ON e.correlation_id = d.correlation_id WHERE d.next_attempt_at IS NOT NULL
             ) w
           ),
           deleted AS (
             DELETE FROM facematch.submissions s USING expired e WHERE s.correlation_id = e.correlation_id
             RETURNING s.correlation_id, s.partner_id
           ),
           published AS (
             SELECT facematch.publish_change($5, json_build_object(
               'kind', 'submission', 'correlationId', correlation_id, 'partnerId', partner_id)) FROM deleted
           ),
           answers AS (
             DELETE FROM facematch.idempotency_answers
              WHERE stored_at <= $3 OR (answer IS NULL AND claimed_at <= $4)
             RETURNING answer IS NOT NULL AS answered
           )
           SELECT (SELECT count(*)::int FROM images) AS images,
                  (SELECT count(*)::int FROM answers WHERE answered) AS answers,
                  (SELECT n FROM unscheduled) AS jobs,
                  (SELECT count(*) FROM published) AS published,
                  (SELECT coalesce(json_agg(json_build_object(
                     'correlationId', correlation_id, 'partnerId', partner_id)), '[]') FROM deleted) AS deleted`,
          [
            limits.images,
            limits.submissions,
            limits.answers,
            new Date(limits.answers.getTime() - CLAIM_TIMEOUT_MS),
            origin,
          ],
        );
        const row = rows[0];
        const deleted: Array<{ correlationId: string; partnerId: string }> = row?.deleted ?? [];
        tx.afterCommit(() => {
          for (const { correlationId, partnerId } of deleted) {
            const change: StateChange = { kind: 'submission', correlationId, partnerId };
            feed.emit(change);
          }
        });
        return { images: row?.images ?? 0, submissions: deleted.length, answers: row?.answers ?? 0 };
      }),
    );
}
