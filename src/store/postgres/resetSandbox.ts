import type { SandboxStore, StateChange } from '../SandboxStore.ts';
import { removeJobCall } from './jobs/jobPlacement.ts';
import { lockForReset } from './partnerLocks.ts';
import { reaching } from './storageErrors.ts';
import type { StoreContext } from './storeContext.ts';

/**
 * How long a reset may wait for the partner's running set-ups (excludingReset) to end: they run
 * whole flows, so far longer than the statement timeout every other step lives with.
 */
const RESET_WAIT_MS = 120_000;

/**
 * `reset`: one transaction that first waits for the partner's set-ups to end (advisory lock), then
 * takes the partner's clock (every other step that schedules work takes it first too, so the reset
 * sees all such steps committed and none can slip in between), then deletes in one statement.
 */
export function createReset(ctx: StoreContext): SandboxStore['reset'] {
  const { db, origin, feed } = ctx;
  return (partnerId) =>
    reaching('reset', () =>
      db.transaction(
        async (tx) => {
          await lockForReset(tx, partnerId, RESET_WAIT_MS + 5_000);
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
                  WHERE ($1::text IS NULL OR partner_id = $1) AND state = 'pending'
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
        },
        { begin: `BEGIN; SET LOCAL statement_timeout = ${RESET_WAIT_MS}` },
      ),
    );
}
