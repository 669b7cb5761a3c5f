import type { QueuedScenario, ScenarioStateStore } from '../SandboxStore.ts';
import { cutoffs } from './retention.ts';
import { reaching } from './storageErrors.ts';
import type { StoreContext } from './storeContext.ts';

/**
 * The admin scenario queue (entries used in the order they were added, per partner) and the
 * per-submission counters scenarios keep (faults seen per step, polls that saw PROCESSING).
 * An entry whose uses are all taken stays as a row with nothing remaining until the partner's
 * next enqueue removes it: a statement cannot both decrement and delete one row, and a take that
 * also deleted spent rows could deadlock with another take.
 */
export function createScenarioTables(ctx: StoreContext): ScenarioStateStore {
  const { db, options } = ctx;

  const queue = async (partnerId: string): Promise<QueuedScenario[]> => {
    const { rows } = await db.query(
      'SELECT scenario, remaining FROM facematch.scenario_queue WHERE partner_id = $1 AND remaining > 0 ORDER BY seq',
      [partnerId],
    );
    return rows.map((row) => ({ scenario: row.scenario, remaining: row.remaining }));
  };

  return {
    enqueue: (partnerId, scenario, count) =>
      reaching('scenarios.enqueue', async () => {
        const { rows } = await db.query(
          `WITH added AS (
             INSERT INTO facematch.scenario_queue (partner_id, scenario, remaining) VALUES ($1, $2, $3)
             RETURNING seq, scenario, remaining
           ),
           spent AS (DELETE FROM facematch.scenario_queue WHERE partner_id = $1 AND remaining <= 0)
           SELECT seq, scenario, remaining FROM facematch.scenario_queue WHERE partner_id = $1 AND remaining > 0
           UNION ALL
           SELECT seq, scenario, remaining FROM added WHERE remaining > 0
           ORDER BY seq`,
          [partnerId, scenario, count],
        );
        return rows.map((row) => ({ scenario: row.scenario, remaining: row.remaining }));
      }),

    take: (partnerId) =>
      reaching('scenarios.take', async () => {
        // The head is locked, and re-checked once a concurrent take releases it: a head whose last
        // use went meanwhile no longer qualifies and the next entry is taken, so every use goes to
        // exactly one caller.
        const { rows } = await db.query(
          `WITH head AS (
             SELECT seq FROM facematch.scenario_queue
              WHERE partner_id = $1 AND remaining > 0 ORDER BY seq LIMIT 1 FOR UPDATE
           ),
           taken AS (
             UPDATE facematch.scenario_queue q SET remaining = q.remaining - 1
               FROM head WHERE q.seq = head.seq
             RETURNING q.scenario
           )
           SELECT scenario FROM taken`,
          [partnerId],
        );
        return rows[0]?.scenario as string | undefined;
      }),

    queue: (partnerId) => reaching('scenarios.queue', () => queue(partnerId)),

    clearQueue: (partnerId) =>
      reaching('scenarios.clearQueue', async () => {
        await db.query('DELETE FROM facematch.scenario_queue WHERE partner_id = $1', [partnerId]);
      }),

    count: (correlationId, counters) =>
      reaching('scenarios.count', async () => {
        if (counters.length === 0) return [];
        // A name given twice is counted twice; one row per name takes the sum in one statement.
        const times = new Map<string, number>();
        // Sorted: two counts of one submission lock its counter rows in the same order.
        for (const name of [...counters].sort()) times.set(name, (times.get(name) ?? 0) + 1);
        const { rows } = await db.query(
          `INSERT INTO facematch.scenario_counters AS c (correlation_id, name, value)
           SELECT s.correlation_id, n.name, n.times
             FROM facematch.submissions s, unnest($2::text[], $3::int[]) AS n(name, times)
            WHERE s.correlation_id = $1 AND s.created_at > $4
           ON CONFLICT (correlation_id, name) DO UPDATE SET value = c.value + EXCLUDED.value
           RETURNING name, value`,
          [correlationId, [...times.keys()], [...times.values()], cutoffs(options).submissions],
        );
        const after = new Map<string, number>(rows.map((row) => [row.name, row.value]));
        // Each occurrence answers the value the counter had after it, as one at a time would.
        const seen = new Map<string, number>();
        return counters.map((name) => {
          const final = after.get(name);
          if (final === undefined) return 0;
          const nth = (seen.get(name) ?? 0) + 1;
          seen.set(name, nth);
          return final - ((times.get(name) ?? 0) - nth);
        });
      }),
  };
}
