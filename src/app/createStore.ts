import type { Config } from '../config/configSchema.ts';
import { createDirectoryStore } from '../store/directory/createDirectoryStore.ts';
import { createMemoryStore } from '../store/memory/createMemoryStore.ts';
import type { SandboxStore, StoreOptions } from '../store/SandboxStore.ts';
import type { Logger } from './composeServices.ts';

/** The store the config names: memory by default, files with --data-dir, PostgreSQL with --database-url. */
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
  const { databaseUrl } = config.store;
  if (databaseUrl !== undefined) {
    // Loaded only for a shared sandbox: `npm start` needs neither pg nor graphile-worker.
    const { createPostgresStore } = await import('../store/postgres/createPostgresStore.ts');
    return createPostgresStore({
      ...options,
      databaseUrl,
      poolSize: config.store.poolSize,
      log,
      jobs: {
        pollIntervalMs: config.store.pollIntervalMs,
        // Heard from five times per take-over window, so one slow heartbeat never looks like a death.
        heartbeatMs: Math.max(500, (config.store.takeoverSeconds * 1000) / 5),
        deadAfterMs: config.store.takeoverSeconds * 1000,
      },
    });
  }
  if (config.dataDir) return createDirectoryStore(config.dataDir, { ...options, warn: log.warn });
  return createMemoryStore(options);
}
