import { byCreation, type CallbackDeliveryRecord, type CallbackLog } from './CallbackLog.ts';

export function createMemoryCallbackLog(): CallbackLog {
  const records = new Map<string, CallbackDeliveryRecord>();
  // Copies in and out, so a caller mutating a record it was given cannot change
  // history behind the log's back — the same behaviour as the directory log.
  const copy = (record: CallbackDeliveryRecord) => structuredClone(record);
  return {
    async save(record) {
      records.set(record.id, copy(record));
    },
    async get(id) {
      const record = records.get(id);
      return record && copy(record);
    },
    async byCorrelationId(correlationId) {
      return [...records.values()]
        .filter((r) => r.correlationId === correlationId)
        .map(copy)
        .sort(byCreation);
    },
    async deleteByCorrelationId(correlationId) {
      for (const [id, record] of records) if (record.correlationId === correlationId) records.delete(id);
    },
    async pending() {
      return [...records.values()]
        .filter((r) => r.state === 'pending')
        .map(copy)
        .sort(byCreation);
    },
  };
}
