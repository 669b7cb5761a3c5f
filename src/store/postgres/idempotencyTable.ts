import { CLAIM_TIMEOUT_MS, type IdempotencyClaim, type IdempotencyStore } from '../SandboxStore.ts';
import { cutoffs } from './retention.ts';
import { reaching } from './storageErrors.ts';
import type { StoreContext } from './storeContext.ts';

export function createIdempotencyTable(ctx: StoreContext): IdempotencyStore {
  const { db, options } = ctx;
  return {
    claim: (partnerId, key, at) =>
      reaching('idempotency.claim', async (): Promise<IdempotencyClaim> => {
        // One statement: the key is claimed if it is free, if its claim is stale (a request whose
        // server died) or if its answer has expired; otherwise the row as it stood is read back.
        const { rows } = await db.query(
          `WITH claimed AS (
             INSERT INTO facematch.idempotency_answers AS a (key, partner_id, claimed_at) VALUES ($1, $2, $3)
             ON CONFLICT (key) DO UPDATE
               SET partner_id = EXCLUDED.partner_id, claimed_at = EXCLUDED.claimed_at, answer = NULL, stored_at = NULL
               WHERE (a.answer IS NULL AND a.claimed_at < $4) OR (a.answer IS NOT NULL AND a.stored_at <= $5)
             RETURNING 1
           )
           SELECT (SELECT count(*) FROM claimed)::int AS claimed,
                  (SELECT answer FROM facematch.idempotency_answers WHERE key = $1) AS answer`,
          [key, partnerId, at, new Date(at.getTime() - CLAIM_TIMEOUT_MS), cutoffs(options).answers],
        );
        const row = rows[0];
        if (row?.claimed) return { kind: 'claimed' };
        // A claim made by another request since this statement began is in flight as well.
        return row?.answer ? { kind: 'answered', answer: row.answer } : { kind: 'in-flight' };
      }),
    complete: (key, answer) =>
      reaching('idempotency.complete', async () => {
        await db.query(
          'UPDATE facematch.idempotency_answers SET answer = $2::json, stored_at = $3 WHERE key = $1',
          [key, JSON.stringify(answer), answer.storedAt],
        );
      }),
    release: (key) =>
      reaching('idempotency.release', async () => {
        await db.query('DELETE FROM facematch.idempotency_answers WHERE key = $1 AND answer IS NULL', [key]);
      }),
  };
}
