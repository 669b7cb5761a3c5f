import { createInProcessStore } from '../memory/createInProcessStore.ts';
import type { SandboxStore, StoreOptions } from '../SandboxStore.ts';
import { directoryPersistence } from './directoryPersistence.ts';

/**
 * `--data-dir`: the memory store writing every change through to files first, so a restart (or a
 * kill -9) loses nothing that was answered and finishes what was under way. One process per
 * directory: instances that share state need the PostgreSQL store.
 */
export function createDirectoryStore(
  dataDir: string,
  options: StoreOptions & { warn: (message: string) => void },
): Promise<SandboxStore> {
  return createInProcessStore('directory', options, directoryPersistence(dataDir, options.warn));
}
