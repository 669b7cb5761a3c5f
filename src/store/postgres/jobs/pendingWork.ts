import type { WorkItem, WorkKind } from '../../SandboxStore.ts';
import type { Sql } from '../database.ts';

/**
 * Work as the state shows it (see SandboxStore): PROCESSING submissions with a processDueAt, and
 * deliveries with a nextAttemptAt (pending, or delivered with forced repeats to come), of
 * submissions that have not expired. `$1` is the
 * submissions' retention cutoff; `partner` and `dueBy` narrow it to SQL parameters given.
 */
function pendingSql(where: { partner?: string; dueBy?: string }): string {
  const processing = [
    "s.status = 'PROCESSING'",
    's.process_due_at IS NOT NULL',
    's.created_at > $1',
    ...(where.partner ? [`s.partner_id = ${where.partner}`] : []),
    ...(where.dueBy ? [`s.process_due_at <= ${where.dueBy}`] : []),
  ];
  const delivering = [
    'd.next_attempt_at IS NOT NULL',
    's.created_at > $1',
    ...(where.partner ? [`d.partner_id = ${where.partner}`] : []),
    ...(where.dueBy ? [`d.next_attempt_at <= ${where.dueBy}`] : []),
  ];
  return `
    SELECT 'process' AS kind, s.correlation_id AS id, s.partner_id, s.process_due_at AS due_at,
           s.record->>'processDueAt' AS revision
      FROM facematch.submissions s
     WHERE ${processing.join(' AND ')}
    UNION ALL
    SELECT 'deliver', d.webhook_id, d.partner_id, d.next_attempt_at, d.revision::text
      FROM facematch.deliveries d JOIN facematch.submissions s ON s.correlation_id = d.correlation_id
     WHERE ${delivering.join(' AND ')}`;
}

interface ItemRow {
  kind: WorkKind;
  id: string;
  partner_id: string;
  due_at: Date;
  revision: string;
}

function itemOf(row: ItemRow): WorkItem {
  return { kind: row.kind, id: row.id, partnerId: row.partner_id, dueAt: row.due_at, revision: row.revision };
}

/** Every pending item of the partner, whatever its due time (a clock change re-projects them). */
export async function pendingWorkOf(
  sql: Sql,
  partnerId: string,
  submissionCutoff: Date,
): Promise<WorkItem[]> {
  const { rows } = await sql.query<ItemRow>(pendingSql({ partner: '$2' }), [submissionCutoff, partnerId]);
  return rows.map(itemOf);
}

/** The partner's earliest item due at or before `upTo`; scoring first when both fall due at once. */
export async function nextDueOf(
  sql: Sql,
  partnerId: string,
  upTo: Date,
  submissionCutoff: Date,
): Promise<WorkItem | undefined> {
  const { rows } = await sql.query<ItemRow>(
    `SELECT * FROM (${pendingSql({ partner: '$2', dueBy: '$3' })}) work
      ORDER BY due_at, kind DESC, id LIMIT 1`,
    [submissionCutoff, partnerId, upTo],
  );
  return rows[0] && itemOf(rows[0]);
}

/** How many items are pending, for one partner or (null) everyone. */
export async function countPending(
  sql: Sql,
  partnerId: string | null,
  submissionCutoff: Date,
): Promise<number> {
  const { rows } =
    partnerId === null
      ? await sql.query(`SELECT count(*)::int AS n FROM (${pendingSql({})}) work`, [submissionCutoff])
      : await sql.query(`SELECT count(*)::int AS n FROM (${pendingSql({ partner: '$2' })}) work`, [
          submissionCutoff,
          partnerId,
        ]);
  return rows[0]?.n ?? 0;
}

/** The item's revision as the state shows it now, or null once it is no longer pending. */
export async function currentRevision(
  sql: Sql,
  kind: WorkKind,
  id: string,
  submissionCutoff: Date,
): Promise<string | null> {
  const { rows } =
    kind === 'process'
      ? await sql.query(
          `SELECT record->>'processDueAt' AS revision FROM facematch.submissions s
            WHERE s.correlation_id = $2 AND s.status = 'PROCESSING' AND s.process_due_at IS NOT NULL AND s.created_at > $1`,
          [submissionCutoff, id],
        )
      : await sql.query(
          `SELECT d.revision::text AS revision
             FROM facematch.deliveries d JOIN facematch.submissions s ON s.correlation_id = d.correlation_id
            WHERE d.webhook_id = $2 AND d.next_attempt_at IS NOT NULL AND s.created_at > $1`,
          [submissionCutoff, id],
        );
  return rows[0]?.revision ?? null;
}

/** The partner and due time of one item, if it is pending (to put its job back in place). */
export async function pendingItem(
  sql: Sql,
  kind: WorkKind,
  id: string,
  submissionCutoff: Date,
): Promise<WorkItem | undefined> {
  const { rows } = await sql.query<ItemRow>(
    `SELECT * FROM (${pendingSql({})}) work WHERE kind = $2 AND id = $3`,
    [submissionCutoff, kind, id],
  );
  return rows[0] && itemOf(rows[0]);
}
