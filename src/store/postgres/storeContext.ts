import type { StoreOptions } from '../SandboxStore.ts';
import type { PostgresChangeFeed } from './changeFeed.ts';
import type { Database } from './database.ts';

/** What every table of the adapter works with. */
export interface StoreContext {
  db: Database;
  options: StoreOptions;
  /** This store instance, as the origin of the changes it publishes. */
  origin: string;
  feed: PostgresChangeFeed;
}
