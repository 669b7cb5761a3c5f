import type { RequestJournal } from '../../journal/RequestJournal.ts';
import type { AdminEvent } from './AdminEvents.ts';

/** The request journal, announcing each entry it records. */
export function watchJournal(journal: RequestJournal, publish: (event: AdminEvent) => void): RequestJournal {
  return {
    capacity: journal.capacity,
    list: (filter) => journal.list(filter),
    clear: (partnerId) => journal.clear(partnerId),
    size: () => journal.size(),
    record(fields) {
      const entry = journal.record(fields);
      publish({
        kind: 'journal',
        journalId: entry.id,
        partnerId: entry.partnerId,
        correlationId: entry.correlationId,
      });
      return entry;
    },
  };
}
