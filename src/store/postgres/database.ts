import type pg from 'pg';
import { failedToConnect, isUnreachable } from './storageErrors.ts';

// biome-ignore lint/suspicious/noExplicitAny: rows are typed by each query's caller
type Row = Record<string, any>;

/** Something SQL can be sent to: the pool (one statement, one implicit transaction) or a transaction. */
export interface Sql {
  query<R extends Row = Row>(
    text: string,
    values?: readonly unknown[],
    /** How long this query may wait for its answer, when that is longer than the pool's default. */
    timeoutMs?: number,
  ): Promise<pg.QueryResult<R>>;
}

export interface Transaction extends Sql {
  /** Runs once the transaction has committed (telling local subscribers of a change, for one). */
  afterCommit(fn: () => void): void;
}

export interface Database extends Sql {
  /**
   * Runs `work` in one transaction (READ COMMITTED; the steps lock what they decide on). A deadlock
   * between two steps is retried, so `work` must only read and write through `tx`.
   */
  transaction<T>(work: (tx: Transaction) => Promise<T>, options?: { begin?: string }): Promise<T>;
}

/** Every query this adapter sends, on any pool or client: benchmarks report round trips from it. */
export interface QueryCounter {
  count: number;
}

/** Deadlock and serialisation failures: the step saw nothing of its own effects, so it runs again. */
const RETRYABLE = new Set(['40P01', '40001']);
const ATTEMPTS = 4;

function retryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
}

export function countedQuery(
  client: pg.Pool | pg.PoolClient | pg.Client,
  counter: QueryCounter,
): Sql['query'] {
  return (text, values, timeoutMs) => {
    counter.count += 1;
    const config: pg.QueryConfig = { text, values: values as unknown[] | undefined };
    // node-postgres reads query_timeout from the query's config, ahead of the pool's.
    if (timeoutMs !== undefined) Object.assign(config, { query_timeout: timeoutMs });
    return client.query(config);
  };
}

/** A connection from the pool; a failure to open one is marked as the database being out of reach. */
export function connect(pool: pg.Pool): Promise<pg.PoolClient> {
  return pool.connect().catch((error: unknown) => {
    throw failedToConnect(error);
  });
}

export function createDatabase(pool: pg.Pool, counter: QueryCounter): Database {
  return {
    // One statement is one step too: a deadlock it lost (against a reset, say) is simply run again.
    async query<R extends Row = Row>(text: string, values?: readonly unknown[], timeoutMs?: number) {
      for (let attempt = 1; ; attempt++) {
        const client = await connect(pool);
        try {
          const result = await countedQuery(client, counter)<R>(text, values, timeoutMs);
          client.release();
          return result;
        } catch (error) {
          client.release(isUnreachable(error));
          if (retryable(error) && attempt < ATTEMPTS) continue;
          throw error;
        }
      }
    },
    async transaction(work, options = {}) {
      for (let attempt = 1; ; attempt++) {
        const client = await connect(pool);
        const query = countedQuery(client, counter);
        const hooks: Array<() => void> = [];
        try {
          await query(options.begin ?? 'BEGIN');
          const result = await work({ query, afterCommit: (fn) => hooks.push(fn) });
          await query('COMMIT');
          client.release();
          // A subscriber that throws must not turn a committed step into a failed one.
          for (const hook of hooks) {
            try {
              hook();
            } catch {}
          }
          return result;
        } catch (error) {
          // A connection that failed is not given back for reuse; one that answered is rolled back.
          let broken = isUnreachable(error);
          if (!broken)
            broken = await query('ROLLBACK').then(
              () => false,
              () => true,
            );
          client.release(broken);
          if (retryable(error) && attempt < ATTEMPTS) continue;
          throw error;
        }
      }
    },
  };
}
