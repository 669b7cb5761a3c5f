import { join } from 'node:path';
import { createDirectoryObjectStore } from '../bucket/directoryObjectStore.ts';
import { createMemoryObjectStore } from '../bucket/memoryObjectStore.ts';
import type { ObjectStore } from '../bucket/ObjectStore.ts';
import type { CallbackLog } from '../callbacks/CallbackLog.ts';
import { createDirectoryCallbackLog } from '../callbacks/directoryCallbackLog.ts';
import { createMemoryCallbackLog } from '../callbacks/memoryCallbackLog.ts';
import type { Submission } from '../domain/Submission.ts';
import type { StoredAnswer } from '../http/idempotency.ts';
import { expiringObjects } from '../retention/expiringObjects.ts';
import { expiringRecords } from '../retention/expiringRecords.ts';
import { isExpired } from '../retention/isExpired.ts';
import { type RetainedStores, type RetentionPolicy, sweepExpired } from '../retention/sweepExpired.ts';
import { createDirectoryRecordStore } from '../store/createDirectoryRecordStore.ts';
import { createMemoryRecordStore, type RecordStore } from '../store/RecordStore.ts';
import { sweepTempFiles } from '../store/sweepTempFiles.ts';

export interface Stores {
  objects: ObjectStore;
  submissions: RecordStore<Submission>;
  idempotency: RecordStore<StoredAnswer>;
  callbackLog: CallbackLog;
  /** Deletes what the retention policy says has expired, from memory and disk. */
  sweepExpired(
    objectKey: RetainedStores['objectKey'],
  ): Promise<{ images: number; submissions: number; answers: number }>;
}

/**
 * Everything that must survive a restart lives under one data directory; without one, in memory.
 * Either way, expired data reads as absent (retention) and is swept by `sweepExpired`.
 */
export function createStores(
  dataDir: string | undefined,
  warn: (message: string) => void,
  now: () => Date,
  retention: RetentionPolicy,
): Stores {
  const raw = dataDir ? directoryStores(dataDir, warn, now) : memoryStores(now);
  const expired = (since: string) => isExpired(since, retention.submissionSeconds, now());
  return {
    objects: expiringObjects(raw.objects, retention.imageSeconds, now),
    submissions: expiringRecords(raw.submissions, (s) => expired(s.createdAt)),
    idempotency: expiringRecords(raw.idempotency, (a) => expired(a.storedAt)),
    callbackLog: raw.callbackLog,
    sweepExpired: (objectKey) => sweepExpired({ ...raw, objectKey }, retention, now()),
  };
}

type RawStores = Omit<Stores, 'sweepExpired'>;

function memoryStores(now: () => Date): RawStores {
  return {
    objects: createMemoryObjectStore(now),
    submissions: createMemoryRecordStore(),
    idempotency: createMemoryRecordStore(),
    callbackLog: createMemoryCallbackLog(),
  };
}

function directoryStores(dataDir: string, warn: (message: string) => void, now: () => Date): RawStores {
  const swept = sweepTempFiles(dataDir);
  if (swept > 0)
    warn(`removed ${swept} unfinished temporary file(s) left in ${dataDir} by an interrupted write`);
  const unreadable = (file: string, error: unknown) => warn(`skipping unreadable ${file}: ${String(error)}`);
  return {
    objects: createDirectoryObjectStore(join(dataDir, 'objects'), now),
    submissions: createDirectoryRecordStore(join(dataDir, 'submissions'), unreadable),
    idempotency: createDirectoryRecordStore(join(dataDir, 'idempotency'), unreadable),
    callbackLog: createDirectoryCallbackLog(join(dataDir, 'callbacks'), { onCorrupt: unreadable }),
  };
}
