import type pg from 'pg';
import { connect, countedQuery, type QueryCounter } from './database.ts';
import { isUnreachable, reaching } from './storageErrors.ts';

/**
 * Advisory lock keys, in the two-int form: a class of our own ("FM.." in ASCII) and a key in it.
 * A partner's key is a hash of its id: two partners sharing one only ever wait for each other.
 */
export const LOCK_CLASS = {
  migrate: 0x464d4d47,
  sweep: 0x464d5357,
  /** Keyed by a hash of the secret's name: one creation of each secret at a time. */
  secret: 0x464d5343,
  /** Taken shared by every excludingReset and every partner reset, exclusively by reset(null). */
  allPartners: 0x464d414c,
  partner: 0x464d5054,
} as const;

/** How long a reset may wait for the partner's set-ups (whole flows each) to end. */
const RESET_WAIT_MS = 120_000;

/**
 * The locks between resets and set-ups, all session-level advisory locks held on connections of a
 * small pool of their own, never the main one: a set-up (`excludingReset`, shared locks) runs whole
 * flows on the main pool while it holds its lock, and a reset (exclusive) waits for those set-ups
 * to end. Were a waiting reset to hold a main-pool connection, enough of them would starve the very
 * set-ups they wait for. At most `slots` hold or wait for a lock at once; the rest wait here.
 *
 * A partner's reset takes the all-partners key shared and the partner's key exclusively; a reset of
 * everyone takes the all-partners key exclusively. PostgreSQL queues a new shared request behind a
 * waiting exclusive one, so a reset asked for holds new set-ups off until it is done.
 */
export function createPartnerLocks(pool: pg.Pool, counter: QueryCounter, slots: number) {
  const waiting: Array<() => void> = [];
  let free = slots;
  const acquire = (): Promise<void> => {
    if (free > 0) {
      free -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free += 1;
  };

  async function holding<T>(
    what: string,
    lock: { sql: string; unlockSql: string; params: unknown[]; waitMs?: number },
    fn: () => Promise<T>,
  ): Promise<T> {
    await acquire();
    try {
      const client = await reaching(what, () => connect(pool));
      const query = countedQuery(client, counter);
      try {
        await reaching(what, () => query(lock.sql, lock.params, lock.waitMs));
      } catch (error) {
        client.release(isUnreachable(error));
        throw error;
      }
      try {
        return await fn();
      } finally {
        // A connection that cannot unlock is closed instead: its session's locks end with it.
        const unlocked = await query(lock.unlockSql, lock.params).then(
          () => true,
          () => false,
        );
        client.release(!unlocked);
      }
    } finally {
      release();
    }
  }

  return {
    excludingReset<T>(partnerId: string, fn: () => Promise<T>): Promise<T> {
      return holding(
        'excludingReset',
        {
          sql: 'SELECT pg_advisory_lock_shared($1, 0), pg_advisory_lock_shared($2, hashtext($3))',
          unlockSql: 'SELECT pg_advisory_unlock_shared($1, 0), pg_advisory_unlock_shared($2, hashtext($3))',
          params: [LOCK_CLASS.allPartners, LOCK_CLASS.partner, partnerId],
        },
        fn,
      );
    },
    /** Runs `fn` (the reset's own transaction, on the main pool) once no set-up of the partner runs. */
    resetting<T>(partnerId: string | null, fn: () => Promise<T>): Promise<T> {
      return holding(
        'reset',
        partnerId === null
          ? {
              sql: 'SELECT pg_advisory_lock($1, 0)',
              unlockSql: 'SELECT pg_advisory_unlock($1, 0)',
              params: [LOCK_CLASS.allPartners],
              waitMs: RESET_WAIT_MS,
            }
          : {
              sql: 'SELECT pg_advisory_lock_shared($1, 0), pg_advisory_lock($2, hashtext($3))',
              unlockSql: 'SELECT pg_advisory_unlock_shared($1, 0), pg_advisory_unlock($2, hashtext($3))',
              params: [LOCK_CLASS.allPartners, LOCK_CLASS.partner, partnerId],
              waitMs: RESET_WAIT_MS,
            },
        fn,
      );
    },
  };
}
