import type { JournalEntry, JournalFilter } from './JournalEntry.ts';

export interface RequestJournal {
  readonly capacity: number;
  record(entry: Omit<JournalEntry, 'id'>): JournalEntry;
  /** Newest first. */
  list(filter?: JournalFilter): JournalEntry[];
  /** Everything, or one partner's entries only (a per-partner reset must not wipe another's history). */
  clear(partnerId?: string): number;
  size(): number;
}

/**
 * The last `capacity` requests, in memory. A ring buffer: a busy CI run overwrites the oldest
 * entries instead of growing the heap, and recording is O(1) on every request.
 */
export function createRequestJournal(capacity: number): RequestJournal {
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new Error(`journal capacity must be a positive integer, got ${capacity}`);
  }
  let slots: Array<JournalEntry | undefined> = new Array(capacity);
  let next = 0;
  let count = 0;
  let sequence = 0;

  function newestFirst(): JournalEntry[] {
    const entries: JournalEntry[] = [];
    for (let i = 1; i <= count; i++) {
      const entry = slots[(next - i + capacity) % capacity];
      if (entry) entries.push(entry);
    }
    return entries;
  }

  return {
    capacity,
    record(fields) {
      sequence += 1;
      const entry: JournalEntry = { id: `req_${sequence}`, ...fields };
      slots[next] = entry;
      next = (next + 1) % capacity;
      count = Math.min(count + 1, capacity);
      return entry;
    },
    list(filter = {}) {
      const method = filter.method?.toUpperCase();
      const matches = newestFirst().filter(
        (e) =>
          (filter.partnerId === undefined || e.partnerId === filter.partnerId) &&
          (filter.correlationId === undefined || e.correlationId === filter.correlationId) &&
          (filter.status === undefined || e.status === filter.status) &&
          (method === undefined || e.method === method) &&
          (filter.pathPrefix === undefined || e.path.startsWith(filter.pathPrefix)) &&
          (!filter.nearMissesOnly || e.nearMiss !== null),
      );
      return filter.limit === undefined ? matches : matches.slice(0, filter.limit);
    },
    clear(partnerId) {
      const before = count;
      // Oldest first, so the survivors keep their order when compacted.
      const kept =
        partnerId === undefined
          ? []
          : newestFirst()
              .reverse()
              .filter((e) => e.partnerId !== partnerId);
      slots = new Array(capacity);
      kept.forEach((entry, i) => {
        slots[i] = entry;
      });
      count = kept.length;
      next = count % capacity;
      return before - count;
    },
    size: () => count,
  };
}
