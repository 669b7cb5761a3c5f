import type { Config } from '../config/configSchema.ts';
import { createDirectoryStore } from '../store/directory/createDirectoryStore.ts';
import { createMemoryStore } from '../store/memory/createMemoryStore.ts';
import type { SandboxStore, StoreOptions } from '../store/SandboxStore.ts';
import type { Logger } from './composeServices.ts';

/** The store the config names: memory by default, files with --data-dir. */
export async function createStore(config: Config, log: Logger, now: () => Date): Promise<SandboxStore> {
  const options: StoreOptions = {
    retention: {
      imageSeconds: config.retention.imageSeconds,
      submissionSeconds: config.retention.submissionSeconds,
    },
    journalCapacity: config.admin.journalSize,
    initialClock: config.clock,
    now,
  };
  if (config.dataDir) return createDirectoryStore(config.dataDir, { ...options, warn: log.warn });
  return createMemoryStore(options);
}
