import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Where the tests find PostgreSQL: FACEMATCH_TEST_DATABASE_URL, else the server every development
 * machine and CI runs on 127.0.0.1:5432 (trust authentication). Tests make a database of their own
 * per file from it and drop it afterwards.
 */
export const ADMIN_DATABASE_URL =
  process.env.FACEMATCH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let answering: Promise<string | null> | undefined;

/**
 * Null when PostgreSQL answers; otherwise why not, for the skip message. Where it must answer
 * (FACEMATCH_REQUIRE_POSTGRES=1, as .ci/run sets it), its absence is an error, never a skip.
 */
export function postgresUnavailable(): Promise<string | null> {
  answering ??= (async () => {
    const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return null;
    } catch (error) {
      if (process.env.FACEMATCH_REQUIRE_POSTGRES === '1')
        throw new Error(
          `FACEMATCH_REQUIRE_POSTGRES=1 but PostgreSQL does not answer at ${redact(ADMIN_DATABASE_URL)}: ${(error as Error).message}`,
        );
      return `no PostgreSQL answers at ${redact(ADMIN_DATABASE_URL)} (${(error as Error).message}); start it with \`pg_ctlcluster --skip-systemctl-redirect 15 main start\` or set FACEMATCH_TEST_DATABASE_URL`;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return answering;
}

export interface TestDatabase {
  url: string;
  name: string;
  /** Drops the database, closing whatever connections are still open to it. */
  drop(): Promise<void>;
}

/** A new, empty database for one test file (or one test), on the server above. */
export async function createTestDatabase(label = 'test'): Promise<TestDatabase> {
  const name = `facematch_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  await withConnection((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () =>
      withConnection((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  };
}

/** One connection to `url` (the server's admin database by default) for the length of `fn`. */
export async function withConnection<T>(
  fn: (client: pg.Client) => Promise<T>,
  url: string = ADMIN_DATABASE_URL,
): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
