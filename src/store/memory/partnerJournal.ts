import type { JournalEntry, JournalFilter } from '../../journal/JournalEntry.ts';

/** Requests no partner could be named for (no token, an unknown object) share one more bucket. */
const NO_PARTNER = '\u0000';

/**
 * The request journal in memory: one ring buffer per partner, so a partner whose CI floods the
 * sandbox drops only its own oldest entries. Ids carry one sequence across all partners, so
 * entries merge back into arrival order.
 */
export interface PartnerJournal {
  record(fields: Omit<JournalEntry, 'id'>): JournalEntry;
  list(filter: JournalFilter): JournalEntry[];
  clear(partnerId?: string): number;
  size(): number;
}

interface Ring {
  slots: Array<JournalEntry | undefined>;
  next: number;
  count: number;
}

export function createPartnerJournal(capacity: number): PartnerJournal {
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new Error(`journal capacity must be a positive integer, got ${capacity}`);
  }
  const rings = new Map<string, Ring>();
  let sequence = 0;

  const newestFirst = (ring: Ring) => {
    const entries: JournalEntry[] = [];
    for (let i = 1; i <= ring.count; i++) {
      const entry = ring.slots[(ring.next - i + capacity) % capacity];
      if (entry) entries.push(entry);
    }
    return entries;
  };
  const seqOf = (entry: JournalEntry) => Number(entry.id.slice(4));

  return {
    record(fields) {
      sequence += 1;
      const entry: JournalEntry = { id: `req_${sequence}`, ...fields };
      const key = fields.partnerId ?? NO_PARTNER;
      const ring = rings.get(key) ?? { slots: new Array(capacity), next: 0, count: 0 };
      rings.set(key, ring);
      ring.slots[ring.next] = entry;
      ring.next = (ring.next + 1) % capacity;
      ring.count = Math.min(ring.count + 1, capacity);
      return entry;
    },
    list(filter) {
      const method = filter.method?.toUpperCase();
      const source =
        filter.partnerId !== undefined
          ? newestFirst(rings.get(filter.partnerId) ?? { slots: [], next: 0, count: 0 })
          : [...rings.values()].flatMap(newestFirst).sort((a, b) => seqOf(b) - seqOf(a));
      const matches = source.filter(
        (e) =>
          (filter.correlationId === undefined || e.correlationId === filter.correlationId) &&
          (filter.status === undefined || e.status === filter.status) &&
          (method === undefined || e.method === method) &&
          (filter.pathPrefix === undefined || e.path.startsWith(filter.pathPrefix)) &&
          (!filter.nearMissesOnly || e.nearMiss !== null),
      );
      return filter.limit === undefined ? matches : matches.slice(0, filter.limit);
    },
    clear(partnerId) {
      if (partnerId === undefined) {
        const all = this.size();
        rings.clear();
        return all;
      }
      const cleared = rings.get(partnerId)?.count ?? 0;
      rings.delete(partnerId);
      return cleared;
    },
    size() {
      let total = 0;
      for (const ring of rings.values()) total += ring.count;
      return total;
    },
  };
}
