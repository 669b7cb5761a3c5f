import type { SandboxStore, StateChange } from '../SandboxStore.ts';
import { removeJobCall } from './jobs/jobPlacement.ts';
import { reaching } from './storageErrors.ts';
import type { StoreContext } from './storeContext.ts';

export function createReset(
  ctx: StoreContext,
  resetting: <T>(partnerId: string | null, fn: () => Promise<T>) => Promise<T>,
): SandboxStore['reset'] {
  const { db, origin, feed } = ctx;
  return (partnerId) =>
    resetting(partnerId, () =>
      reaching('reset', () =>
        db.transaction(async (tx) => {
          if (partnerId === null) {
            await tx.query('SELECT count(*) FROM (SELECT 1 FROM facematch.partner_clocks FOR UPDATE) clocks');
          } else {
            await tx.query('SELECT count(*) FROM facematch.partner_clock($1, NULL, true)', [partnerId]);
          }
          const { rows } = await tx.query(
            `WITH unscheduled AS (
               SELECT count((${removeJobCall('w.task', 'w.id')}).id) AS n FROM (
                 SELECT 'process' AS task, correlation_id AS id FROM facematch.submissions
                  WHERE ($1::text IS NULL OR partner_id = $1) AND status = 'PROCESSING'
                 UNION ALL
                 SELECT 'deliver', webhook_id FROM facematch.deliveries
                  WHERE ($1::text IS NULL OR partner_id = $1) AND next_attempt_at IS NOT NULL
               ) w
             ),
             deleted AS (
               DELETE FROM facematch.submissions WHERE ($1::text IS NULL OR partner_id = $1)
               RETURNING correlation_id, partner_id
             ),
             published AS (
               SELECT facematch.publish_change($2, json_build_object(
                 'kind', 'submission', 'correlationId', correlation_id, 'partnerId', partner_id)) FROM deleted
             ),
             answers AS (DELETE FROM facematch.idempotency_answers WHERE ($1::text IS NULL OR partner_id = $1)),
             queued AS (DELETE FROM facematch.scenario_queue WHERE ($1::text IS NULL OR partner_id = $1)),
             journal AS (DELETE FROM facematch.journal WHERE ($1::text IS NULL OR partner_id = $1)),
             clocks AS (
               UPDATE facematch.partner_clocks SET offset_ms = 0, frozen_at_ms = NULL
                WHERE ($1::text IS NULL OR partner_id = $1)
             )
             SELECT (SELECT n FROM unscheduled) AS jobs,
                    (SELECT count(*) FROM published) AS published,
                    (SELECT coalesce(json_agg(json_build_object(
                       'correlationId', correlation_id, 'partnerId', partner_id)), '[]') FROM deleted) AS deleted`,
            [partnerId, origin],
          );
          const deleted: Array<{ correlationId: string; partnerId: string }> = rows[0]?.deleted ?? [];
          tx.afterCommit(() => {
            for (const { correlationId, partnerId: owner } of deleted) {
              const change: StateChange = { kind: 'submission', correlationId, partnerId: owner };
              feed.emit(change);
            }
          });
          return { submissions: deleted.length };
        }),
      ),
    );
}
