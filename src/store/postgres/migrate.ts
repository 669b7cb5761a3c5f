import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Logger, makeWorkerUtils, type WorkerUtils } from 'graphile-worker';
import pg from 'pg';
import { JOBS_SCHEMA } from './jobs/jobPlacement.ts';
import { LOCK_CLASS } from './partnerLocks.ts';
import { failedToConnect } from './storageErrors.ts';

interface Migration {
  version: number;
  name: string;
  sql: string;
}

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);

/** migrations/NNN_name.sql, in order. */
export function knownMigrations(): Migration[] {
  if (!existsSync(MIGRATIONS_DIR)) {
    throw new Error(
      `the PostgreSQL store's migrations are missing: no ${fileURLToPath(MIGRATIONS_DIR)} (a build must copy src/store/postgres/migrations/*.sql beside the compiled modules)`,
    );
  }
  return readdirSync(MIGRATIONS_DIR)
    .map((file) => /^(\d+)_(.+)\.sql$/.exec(file))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({
      version: Number(match[1]),
      name: match[2] ?? '',
      sql: readFileSync(new URL(match[0], MIGRATIONS_DIR), 'utf8'),
    }))
    .sort((a, b) => a.version - b.version);
}

/** How long start-up waits for another instance that is migrating the same database. */
const MIGRATION_WAIT_MS = 60_000;

/**
 * Brings the database to this version's schema at start-up: our migrations (schema `facematch`)
 * and graphile-worker's own (schema `facematch_jobs`), both while one transaction holds an advisory
 * lock, so instances starting together migrate once: the first does the work, the others wait
 * and then find nothing to do. A database migrated by a newer version is refused, not guessed at.
 * Returns graphile-worker's utilities, made on `utilsPool`.
 */
export async function migrate(deps: {
  clientConfig: pg.ClientConfig;
  utilsPool: pg.Pool;
  logger: Logger;
  counter: { count: number };
}): Promise<WorkerUtils> {
  const migrations = knownMigrations();
  const latest = migrations.at(-1);
  const client = new pg.Client({ ...deps.clientConfig, statement_timeout: MIGRATION_WAIT_MS });
  client.on('error', () => {
    // Reported by the query that fails; without a listener the process would crash instead.
  });
  await client.connect().catch((error: unknown) => {
    throw failedToConnect(error);
  });
  const query = (text: string, values?: unknown[]) => {
    deps.counter.count += 1;
    return client.query(text, values);
  };
  try {
    await query('BEGIN');
    await query('SELECT pg_advisory_xact_lock($1, 0)', [LOCK_CLASS.migrate]);
    await query(`CREATE SCHEMA IF NOT EXISTS facematch;
      CREATE TABLE IF NOT EXISTS facematch.schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    const { rows } = await query(
      'SELECT version, name FROM facematch.schema_migrations ORDER BY version DESC LIMIT 1',
    );
    const applied: { version: number; name: string } | undefined = rows[0];
    if (applied && (!latest || applied.version > latest.version)) {
      throw new Error(
        `the PostgreSQL database ${client.database ?? ''} is at facematch schema version ${applied.version} (${applied.name}), written by a newer facematch-mock; this version knows versions up to ${latest?.version ?? 0}${latest ? ` (${latest.name})` : ''}. Run a facematch-mock at least as new as the one that last migrated this database, or point --database-url at another database (a schema is never migrated down).`,
      );
    }
    for (const migration of migrations) {
      if (applied && migration.version <= applied.version) continue;
      await query(migration.sql);
      await query('INSERT INTO facematch.schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
    }
    // graphile-worker migrates on its own connection when its utilities are made; holding our lock
    // meanwhile keeps instances starting together from racing through its migrations too.
    const utils = await makeWorkerUtils({ pgPool: deps.utilsPool, schema: JOBS_SCHEMA, logger: deps.logger });
    await query('COMMIT');
    return utils;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}
