import { afterAll } from 'vitest';
import { createPostgresStore } from '../../src/store/postgres/createPostgresStore.ts';
import type { StoreOptions } from '../../src/store/SandboxStore.ts';
import {
  createTestDatabase,
  postgresUnavailable,
  type TestDatabase,
  withConnection,
} from '../support/postgres.ts';
import { describeStoreContract } from './contract/storeContract.ts';

let database: TestDatabase | undefined;
afterAll(async () => {
  await database?.drop();
});

const log = {
  info: () => {},
  warn: (message: string) => console.warn(`postgres store: ${message}`),
  error: (message: string, error?: unknown) => console.error(`postgres store: ${message}`, error ?? ''),
};

const open = (url: string, options: StoreOptions) =>
  createPostgresStore({ ...options, databaseUrl: url, poolSize: 5, log });

describeStoreContract({
  name: 'postgres',
  unavailable: postgresUnavailable,
  async create(options) {
    database ??= await createTestDatabase('store_contract');
    const { url, name } = database;
    // One database for the file; each test starts on an empty one.
    await emptyDatabase(url);
    return {
      store: await open(url, options),
      reopen: async (again = options) => open(url, again),
      cleanup: async () => {},
      persistent: true,
      sharedAcrossInstances: true,
      // No new connections, and the open ones ended: the server is gone as far as the store can tell.
      async cutOff() {
        await withConnection(async (client) => {
          await client.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS false`);
          await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [
            name,
          ]);
        });
        return async () => {
          await withConnection((client) =>
            client.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS true`),
          );
        };
      },
    };
  },
});

/**
 * Back to an empty sandbox between tests, keeping the schemas (migrating again per test cost most of
 * this file's time): every row of ours and every job of graphile-worker's gone. Connections a failed
 * test left open are ended first, so nothing holds a lock on them.
 */
async function emptyDatabase(url: string): Promise<void> {
  await withConnection(async (client) => {
    await client.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    const { rows } = await client.query<{ name: string }>(
      `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables
        WHERE (schemaname = 'facematch' AND tablename <> 'schema_migrations')
           OR (schemaname = 'facematch_jobs' AND tablename IN ('_private_jobs', '_private_job_queues'))`,
    );
    if (rows.length > 0)
      await client.query(`TRUNCATE ${rows.map((r) => r.name).join(', ')} RESTART IDENTITY CASCADE`);
  }, url);
}
