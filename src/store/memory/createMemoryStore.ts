import type { SandboxStore, StoreOptions } from '../SandboxStore.ts';
import { createInProcessStore } from './createInProcessStore.ts';
import { memoryPersistence } from './Persistence.ts';

/** The default store: everything in this process, fast, and gone when it exits. */
export function createMemoryStore(options: StoreOptions): Promise<SandboxStore> {
  return createInProcessStore('memory', options, memoryPersistence());
}
