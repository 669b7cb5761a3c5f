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
 * Entries ranked newest first within their partner: reads keep those ranked within capacity.
 * `where` narrows the rows ranked (only by partner: a partner's rank does not depend on others).
 */
function ranked(where: string[]): string {
  return `SELECT j.*, row_number() OVER (PARTITION BY partner_key ORDER BY id DESC) AS newness
            FROM facematch.journal j${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`;
}

/**
 * The request journal, bounded per partner: recording a request deletes that partner's oldest
 * beyond `capacity` in the same statement. Requests of one partner recorded at the same instant
 * do not see each other's rows, so a few too many can stay until the partner's next request;
 * reads count only the newest `capacity` of each partner, so what they show is exact meanwhile.
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
            (fields.nearMiss ?? null) !== null,
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
        const values: unknown[] = [capacity];
        const inner: string[] = [];
        const where = ['newness <= $1'];
        const add = (into: string[], condition: (param: string) => string, value: unknown) => {
          if (value === undefined) return;
          values.push(value);
          into.push(condition(`$${values.length}`));
        };
        // A partner's entries are ranked among themselves: filtering to one partner first is exact.
        add(inner, (p) => `partner_key = ${p}`, filter.partnerId);
        add(where, (p) => `correlation_id = ${p}`, filter.correlationId);
        add(where, (p) => `status = ${p}`, filter.status);
        add(where, (p) => `method = ${p}`, filter.method?.toUpperCase());
        add(where, (p) => `left(path, length(${p}::text)) = ${p}::text`, filter.pathPrefix);
        if (filter.nearMissesOnly) where.push('near_miss');
        let limit = '';
        if (filter.limit !== undefined) {
          values.push(Math.max(0, Math.floor(filter.limit)));
          limit = ` LIMIT $${values.length}`;
        }
        const { rows } = await db.query(
          `SELECT id, entry FROM (${ranked(inner)}) kept WHERE ${where.join(' AND ')} ORDER BY id DESC${limit}`,
          values,
        );
        return rows.map((row) => entryOf(row as never));
      }),

    clear: (partnerId) =>
      reaching('journal.clear', async () => {
        const { rows } = await db.query(
          `WITH kept AS (${ranked(partnerId === undefined ? [] : ['partner_id = $2'])}),
           cleared AS (
             DELETE FROM facematch.journal j USING kept WHERE j.id = kept.id RETURNING kept.newness
           )
           SELECT count(*) FILTER (WHERE newness <= $1)::int AS n FROM cleared`,
          partnerId === undefined ? [capacity] : [capacity, partnerId],
        );
        return rows[0]?.n ?? 0;
      }),

    size: () =>
      reaching('journal.size', async () => {
        const { rows } = await db.query(
          `SELECT count(*)::int AS n FROM (${ranked([])}) kept WHERE newness <= $1`,
          [capacity],
        );
        return rows[0]?.n ?? 0;
      }),
  };
}
