import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knownMigrations } from '../../../src/store/postgres/migrate.ts';
import { createTestDatabase, postgresUnavailable, type TestDatabase } from '../../support/postgres.ts';
import { storeOpener } from './postgresStores.ts';

const unavailable = await postgresUnavailable();
if (unavailable) console.warn(unavailable);

async function rows<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

describe.skipIf(unavailable !== null)('PostgreSQL store start-up migration', () => {
  let database: TestDatabase;
  const stores = storeOpener(() => database.url);
  beforeAll(async () => {
    database = await createTestDatabase('migration');
  });
  afterAll(async () => {
    await stores.closeAll();
    await database?.drop();
  });

  it('ten instances starting at once on a fresh database migrate it exactly once', async () => {
    const started = await Promise.all(Array.from({ length: 10 }, () => stores.open()));
    expect(started.every((store) => store.kind === 'postgres')).toBe(true);

    const applied = await rows<{ version: number; name: string }>(
      database.url,
      'SELECT version, name FROM facematch.schema_migrations ORDER BY version',
    );
    expect(applied).toEqual(knownMigrations().map(({ version, name }) => ({ version, name })));
    // graphile-worker's own migrations, in its own schema, once each.
    const jobMigrations = await rows<{ id: number }>(
      database.url,
      'SELECT id FROM facematch_jobs.migrations ORDER BY id',
    );
    expect(jobMigrations.length).toBeGreaterThan(0);
    expect(new Set(jobMigrations.map((m) => m.id)).size).toBe(jobMigrations.length);
    const schemas = await rows<{ nspname: string }>(
      database.url,
      "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'facematch%' OR nspname = 'graphile_worker' ORDER BY nspname",
    );
    expect(schemas.map((s) => s.nspname)).toEqual(['facematch', 'facematch_jobs']);

    // Every one of them works on the one schema.
    await Promise.all(started.map((store, i) => store.scenarios.enqueue('partner-m', `scenario-${i}`, 1)));
    expect(await started[0]?.scenarios.queue('partner-m')).toHaveLength(10);
  });

  it('refuses a database migrated by a newer version, saying what it found and what to do', async () => {
    await stores.open();
    const latest = knownMigrations().at(-1);
    await rows(
      database.url,
      "INSERT INTO facematch.schema_migrations (version, name) VALUES (999, 'from_the_future')",
    );
    try {
      const refused = stores.open();
      await expect(refused).rejects.toThrow(/facematch schema version 999 \(from_the_future\)/);
      await expect(refused).rejects.toThrow(
        new RegExp(`knows versions up to ${latest?.version} \\(${latest?.name}\\)`),
      );
      await expect(refused).rejects.toThrow(/at least as new as the one that last migrated this database/);
    } finally {
      await rows(database.url, 'DELETE FROM facematch.schema_migrations WHERE version = 999');
    }
    // Nothing was changed by the refusal: the next start on this version works.
    const store = await stores.open();
    await store.ping();
  });
});
