import { join } from 'node:path';
import { createDirectoryObjectStore } from '../bucket/directoryObjectStore.ts';
import { createMemoryObjectStore } from '../bucket/memoryObjectStore.ts';
import type { ObjectStore } from '../bucket/ObjectStore.ts';
import type { CallbackLog } from '../callbacks/CallbackLog.ts';
import { createDirectoryCallbackLog } from '../callbacks/directoryCallbackLog.ts';
import { createMemoryCallbackLog } from '../callbacks/memoryCallbackLog.ts';
import type { Submission } from '../domain/Submission.ts';
import type { StoredAnswer } from '../http/idempotency.ts';
import { createDirectoryRecordStore } from '../store/createDirectoryRecordStore.ts';
import { createMemoryRecordStore, type RecordStore } from '../store/RecordStore.ts';

export interface Stores {
  objects: ObjectStore;
  submissions: RecordStore<Submission>;
  idempotency: RecordStore<StoredAnswer>;
  callbackLog: CallbackLog;
}

/** Everything that must survive a restart lives under one data directory; without one, in memory. */
export function createStores(dataDir: string | undefined, warn: (message: string) => void): Stores {
  if (!dataDir) {
    return {
      objects: createMemoryObjectStore(),
      submissions: createMemoryRecordStore(),
      idempotency: createMemoryRecordStore(),
      callbackLog: createMemoryCallbackLog(),
    };
  }
  const unreadable = (file: string, error: unknown) => warn(`skipping unreadable ${file}: ${String(error)}`);
  return {
    objects: createDirectoryObjectStore(join(dataDir, 'objects')),
    submissions: createDirectoryRecordStore(join(dataDir, 'submissions'), unreadable),
    idempotency: createDirectoryRecordStore(join(dataDir, 'idempotency'), unreadable),
    callbackLog: createDirectoryCallbackLog(join(dataDir, 'callbacks'), { onCorrupt: unreadable }),
  };
}
