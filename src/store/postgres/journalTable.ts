import type { JournalEntry } from '../../journal/JournalEntry.ts';
import type { JournalStore, StateChange } from '../SandboxStore.ts';
import { reaching } from './storageErrors.ts';
import type { StoreContext } from './storeContext.ts';

/** Requests of no known partner are bounded together, as one more partner. */
const NO_PARTNER = '';

function entryOf(row: { id: string; entry: Omit<JournalEntry, 'id'> }): JournalEntry {
  return { id: `req_${row.id}`, ...row.entry };
}

/**
 * The request journal, bounded per partner: recording a request deletes that partner's oldest
 * beyond `capacity` in the same statement. Two requests of one partner recorded at the same
 * instant do not see each other, so the partner can hold one entry too many until its next one.
 */
export function createJournalTable(ctx: StoreContext): JournalStore {
  const { db, origin, feed } = ctx;
  const capacity = ctx.options.journalCapacity;
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new Error(`journal capacity must be a positive integer, got ${capacity}`);
  }
  return {
    capacity,
    record: (fields) =>
      reaching('journal.record', async () => {
        const { rows } = await db.query(
          `WITH recorded AS (
             INSERT INTO facematch.journal (partner_key, partner_id, correlation_id, status, method, path, near_miss, entry)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8::json)
             RETURNING id
           ),
           trimmed AS (
             DELETE FROM facematch.journal
              WHERE partner_key = $1
                AND id <= (SELECT id FROM facematch.journal WHERE partner_key = $1 ORDER BY id DESC OFFSET $9 LIMIT 1)
           ),
           published AS (
             SELECT facematch.publish_change($10, json_build_object(
               'kind', 'journal', 'journalId', 'req_' || recorded.id, 'partnerId', $2::text, 'correlationId', $3::text))
               FROM recorded
           )
           SELECT recorded.id, (SELECT count(*) FROM published) FROM recorded`,
          [
            fields.partnerId ?? NO_PARTNER,
            fields.partnerId,
            fields.correlationId,
            fields.status,
            fields.method,
            fields.path,
            fields.nearMiss !== null,
            JSON.stringify(fields),
            // The statement does not see its own new row: the old ones keep capacity - 1.
            capacity - 1,
            origin,
          ],
        );
        const entry = entryOf({ id: rows[0]?.id, entry: JSON.parse(JSON.stringify(fields)) });
        const change: StateChange = {
          kind: 'journal',
          journalId: entry.id,
          partnerId: entry.partnerId,
          correlationId: entry.correlationId,
        };
        feed.emit(change);
        return entry;
      }),

    list: (filter) =>
      reaching('journal.list', async () => {
        const values: unknown[] = [];
        const where: string[] = [];
        const add = (condition: (param: string) => string, value: unknown) => {
          if (value === undefined) return;
          values.push(value);
          where.push(condition(`$${values.length}`));
        };
        add((p) => `partner_id = ${p}`, filter.partnerId);
        add((p) => `correlation_id = ${p}`, filter.correlationId);
        add((p) => `status = ${p}`, filter.status);
        add((p) => `method = ${p}`, filter.method?.toUpperCase());
        add((p) => `left(path, length(${p}::text)) = ${p}::text`, filter.pathPrefix);
        if (filter.nearMissesOnly) where.push('near_miss');
        let limit = '';
        if (filter.limit !== undefined) {
          values.push(Math.max(0, Math.floor(filter.limit)));
          limit = ` LIMIT $${values.length}`;
        }
        const { rows } = await db.query(
          `SELECT id, entry FROM facematch.journal${where.length ? ` WHERE ${where.join(' AND ')}` : ''}
            ORDER BY id DESC${limit}`,
          values,
        );
        return rows.map((row) => entryOf(row as never));
      }),

    clear: (partnerId) =>
      reaching('journal.clear', async () => {
        const result =
          partnerId === undefined
            ? await db.query('DELETE FROM facematch.journal')
            : await db.query('DELETE FROM facematch.journal WHERE partner_id = $1', [partnerId]);
        return result.rowCount ?? 0;
      }),

    size: () =>
      reaching('journal.size', async () => {
        const { rows } = await db.query('SELECT count(*)::int AS n FROM facematch.journal');
        return rows[0]?.n ?? 0;
      }),
  };
}
