import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { SandboxStore, StoreOptions } from '../SandboxStore.ts';
import { createChangeFeed } from './changeFeed.ts';
import { createClockTable } from './clockTable.ts';
import { createDatabase, type QueryCounter } from './database.ts';
import { createDeliveryTable } from './deliveryTable.ts';
import { createIdempotencyTable } from './idempotencyTable.ts';
import { graphileLogger } from './jobs/graphileLogger.ts';
import { createWorkQueue } from './jobs/workQueue.ts';
import { createJournalTable } from './journalTable.ts';
import { migrate } from './migrate.ts';
import { createPartnerLocks } from './partnerLocks.ts';
import { createReset } from './resetSandbox.ts';
import { createScenarioTables } from './scenarioTables.ts';
import { createSecretTable } from './secretTable.ts';
import { reaching } from './storageErrors.ts';
import type { StoreContext } from './storeContext.ts';
import { createSubmissionTable } from './submissionTable.ts';
import { createSweep } from './sweepExpired.ts';

export interface PostgresStoreOptions extends StoreOptions {
  /** postgres://… of the database every instance of the sandbox shares. */
  databaseUrl: string;
  /** Connections of the main pool (the steps); the work queue and resets have small pools of their own. */
  poolSize: number;
  log: { warn(message: string): void; error(message: string, error?: unknown): void };
  jobs?: {
    /** How often an idle runner looks for jobs that fell due; default 250 ms. */
    pollIntervalMs?: number;
    /** How often a running work queue says it is alive; default 2 000 ms. */
    heartbeatMs?: number;
    /** A work queue silent this long is dead and its jobs are taken over; default 10 000 ms. */
    deadAfterMs?: number;
  };
}

/** A connection that cannot be made in this time is a database that cannot be reached. */
const CONNECT_TIMEOUT_MS = 5_000;
/** The server cancels a statement after this; the client gives up a little later (a silent network). */
const STATEMENT_TIMEOUT_MS = 15_000;
const QUERY_TIMEOUT_MS = STATEMENT_TIMEOUT_MS + 5_000;
/** Resets and set-ups holding (or waiting for) their locks at once; more wait their turn (see partnerLocks). */
const RESET_EXCLUSION_SLOTS = 8;
/** graphile-worker's utilities: a migration at start-up, now and then an unlock. */
const UTILS_POOL_SIZE = 2;

/**
 * A pooled connection the database dropped while idle is discarded by the pool, and the next query
 * makes a new one; without these listeners the dropped connection would crash the process.
 * (graphile-worker also checks a pool it is given has them.)
 */
function quietWhenDropped(pool: pg.Pool): void {
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
}

/**
 * The store on PostgreSQL, shared by any number of stateless instances (`--database-url`): tables in
 * the `facematch` schema, jobs in graphile-worker's `facematch_jobs`, changes over LISTEN/NOTIFY.
 * Migrates the database first (see migrate.ts). `queryCount()` counts the round trips this adapter
 * has made itself (every query on its pools and clients; graphile-worker's own polling aside).
 */
export async function createPostgresStore(
  options: PostgresStoreOptions,
): Promise<SandboxStore & { queryCount(): number }> {
  const instanceId = randomUUID();
  const counter: QueryCounter = { count: 0 };
  const clientConfig: pg.ClientConfig = {
    connectionString: options.databaseUrl,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
    application_name: `facematch-mock ${instanceId.slice(0, 8)}`,
  };
  const pool = new pg.Pool({
    ...clientConfig,
    max: options.poolSize,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
  });
  // Set-ups wait here for a reset for as long as it takes: no timeouts of their own.
  const lockPool = new pg.Pool({ ...clientConfig, max: RESET_EXCLUSION_SLOTS });
  // graphile-worker's utilities (its migrations, unlocking a dead instance's jobs); the runners get
  // a pool of their own, sized to their concurrency, when the work queue starts.
  const utilsPool = new pg.Pool({
    ...clientConfig,
    max: UTILS_POOL_SIZE,
    statement_timeout: STATEMENT_TIMEOUT_MS,
  });
  for (const each of [pool, lockPool, utilsPool]) quietWhenDropped(each);
  const endPools = () => Promise.allSettled([pool.end(), lockPool.end(), utilsPool.end()]);

  const logger = graphileLogger(options.log);
  let utils: Awaited<ReturnType<typeof migrate>>;
  try {
    utils = await reaching('start-up migration', () => migrate({ clientConfig, utilsPool, logger, counter }));
  } catch (error) {
    await endPools();
    throw error;
  }

  const db = createDatabase(pool, counter);
  const feed = createChangeFeed({ clientConfig, origin: instanceId, counter, log: options.log });
  // Listening before the store is handed out: a change another instance makes next is not missed.
  await feed.ready;
  const ctx: StoreContext = { db, options, origin: instanceId, feed };
  const work = createWorkQueue({
    db,
    options,
    runnerPool: (size) => {
      const runners = new pg.Pool({ ...clientConfig, max: size, statement_timeout: STATEMENT_TIMEOUT_MS });
      quietWhenDropped(runners);
      return runners;
    },
    utils,
    logger,
    instanceId,
    counter,
    settings: {
      pollIntervalMs: options.jobs?.pollIntervalMs ?? 250,
      heartbeatMs: options.jobs?.heartbeatMs ?? 2_000,
      deadAfterMs: options.jobs?.deadAfterMs ?? 10_000,
    },
    log: options.log,
  });

  let closing: Promise<void> | undefined;
  const partnerLocks = createPartnerLocks(lockPool, counter, RESET_EXCLUSION_SLOTS);
  return {
    kind: 'postgres',
    submissions: createSubmissionTable(ctx),
    deliveries: createDeliveryTable(ctx),
    idempotency: createIdempotencyTable(ctx),
    clocks: createClockTable(ctx),
    scenarios: createScenarioTables(ctx),
    journal: createJournalTable(ctx),
    secrets: createSecretTable(ctx),
    work,
    changes: feed,
    reset: createReset(ctx, partnerLocks.resetting),
    excludingReset: partnerLocks.excludingReset,
    sweepExpired: createSweep(ctx),
    ping: () =>
      reaching('ping', async () => {
        await db.query('SELECT 1');
      }),
    close() {
      closing ??= (async () => {
        await work.close();
        await Promise.resolve(utils.release()).catch(() => undefined);
        await feed.close();
        await endPools();
      })();
      return closing;
    },
    queryCount: () => counter.count,
  };
}
