import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { processCpuSeconds } from '../flow/processCpu.ts';

/** What PostgreSQL says about one of the bench's databases at one moment. */
export interface DatabaseSample {
  /** CPU seconds (user + system) of each backend connected to the database, by process id. */
  backendCpu: Map<number, number>;
  /**
   * Connections to this database, to the whole server, and the server's limit: a PostgreSQL
   * shared with other work can run out (`too many clients already`), which fails requests.
   */
  connections: { ours: number; all: number; max: number };
}

export interface BenchDatabase {
  name: string;
  /** For the servers: the same PostgreSQL, this database. */
  url: string;
}

export interface BenchDatabases {
  /** A new, empty database; dropped by dropAll (or, if the bench is killed, by its exit hook). */
  create(label: string): Promise<BenchDatabase>;
  sample(database: BenchDatabase): Promise<DatabaseSample>;
  drop(database: BenchDatabase): Promise<void>;
  /** Drops every database still there and closes the connection; safe to call twice. */
  close(): Promise<void>;
}

const QUERY_TIMEOUT_MS = 10_000;

/**
 * The bench's own databases on the PostgreSQL of `adminUrl` (one per server set-up, so each starts
 * empty and its statistics are its own), through one connection to the admin database that is not
 * itself counted. A database left behind by a bench that was killed outright is dropped by an exit
 * hook that runs `psql` synchronously.
 */
export async function openBenchDatabases(adminUrl: string): Promise<BenchDatabases> {
  const client = new pg.Client({
    connectionString: adminUrl,
    connectionTimeoutMillis: 5000,
    query_timeout: QUERY_TIMEOUT_MS,
    statement_timeout: QUERY_TIMEOUT_MS,
    application_name: 'facematch bench:sandbox',
  });
  client.on('error', () => undefined);
  await client.connect();
  const max = Number(
    (await client.query<{ max_connections: string }>('SHOW max_connections')).rows[0]?.max_connections,
  );
  const live = new Set<string>();
  const dropLeftovers = () => {
    for (const name of live) {
      spawnSync('psql', [adminUrl, '-qAtc', dropStatement(name)], { stdio: 'ignore', timeout: 10_000 });
    }
  };
  process.once('exit', dropLeftovers);
  const databaseUrl = (name: string) => {
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return url.toString();
  };
  const drop = async (name: string) => {
    await client.query(dropStatement(name));
    live.delete(name);
  };
  let closing: Promise<void> | undefined;
  return {
    async create(label) {
      const name = `facematch_bench_${label}_${randomBytes(4).toString('hex')}`;
      live.add(name);
      await client.query(`CREATE DATABASE ${name}`);
      return { name, url: databaseUrl(name) };
    },
    async sample(database) {
      const backends = await client.query<{ pid: number; datname: string | null; client: boolean }>(
        "SELECT pid, datname, backend_type = 'client backend' AS client FROM pg_stat_activity",
      );
      // Every backend of the database: the servers' connections, and autovacuum when it works there.
      const backendCpu = new Map<number, number>();
      for (const { pid, datname } of backends.rows) {
        if (datname !== database.name) continue;
        const cpu = processCpuSeconds(pid);
        if (cpu !== undefined) backendCpu.set(pid, cpu);
      }
      const clients = backends.rows.filter((row) => row.client);
      return {
        backendCpu,
        connections: {
          ours: clients.filter((row) => row.datname === database.name).length,
          all: clients.length,
          max,
        },
      };
    },
    drop: (database) => drop(database.name),
    close() {
      closing ??= (async () => {
        for (const name of [...live]) await drop(name).catch(() => undefined);
        await client.end().catch(() => undefined);
        if (live.size === 0) process.removeListener('exit', dropLeftovers);
      })();
      return closing;
    },
  };
}

/** FORCE ends the connections of servers that did not stop in time. */
function dropStatement(name: string): string {
  return `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`;
}

/**
 * CPU seconds the backends used between two samples: a backend in both counts its difference, one
 * that connected in between counts all it used (it started after the first sample). One that
 * disconnected in between is lost; the servers' pools keep their connections while under load.
 */
export function backendCpuBetween(first: DatabaseSample, last: DatabaseSample): number {
  let total = 0;
  for (const [pid, cpu] of last.backendCpu) total += cpu - (first.backendCpu.get(pid) ?? 0);
  return total;
}
