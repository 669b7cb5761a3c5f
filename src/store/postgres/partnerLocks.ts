import type pg from 'pg';
import { connect, countedQuery, type QueryCounter, type Sql } from './database.ts';
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

/**
 * Takes, in the caller's transaction, the locks a reset holds until it commits: the partner's key
 * exclusively (waiting for the partner's excludingReset calls to end, holding new ones off), or for
 * everyone the all-partners key exclusively.
 */
export async function lockForReset(tx: Sql, partnerId: string | null, waitMs: number): Promise<void> {
  if (partnerId === null) {
    await tx.query('SELECT pg_advisory_xact_lock($1, 0)', [LOCK_CLASS.allPartners], waitMs);
  } else {
    await tx.query(
      'SELECT pg_advisory_xact_lock_shared($1, 0), pg_advisory_xact_lock($2, hashtext($3))',
      [LOCK_CLASS.allPartners, LOCK_CLASS.partner, partnerId],
      waitMs,
    );
  }
}

/**
 * `excludingReset`: session-level shared locks on the all-partners key and the partner's key, held
 * on a connection of a small pool of its own for as long as `fn` runs, so that set-ups waiting for
 * a reset (or running long) never take the connections `fn` itself needs from the main pool. At
 * most `slots` run at once; the rest wait here, without a timeout, for a slot.
 */
export function createResetExclusion(pool: pg.Pool, counter: QueryCounter, slots: number) {
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

  return async function excludingReset<T>(partnerId: string, fn: () => Promise<T>): Promise<T> {
    await acquire();
    try {
      const client = await reaching('excludingReset', () => connect(pool));
      const query = countedQuery(client, counter);
      const keys = [LOCK_CLASS.allPartners, LOCK_CLASS.partner, partnerId];
      try {
        await reaching('excludingReset', () =>
          query('SELECT pg_advisory_lock_shared($1, 0), pg_advisory_lock_shared($2, hashtext($3))', keys),
        );
      } catch (error) {
        client.release(isUnreachable(error));
        throw error;
      }
      try {
        return await fn();
      } finally {
        // A connection that cannot unlock is closed instead: its session's locks end with it.
        const unlocked = await query(
          'SELECT pg_advisory_unlock_shared($1, 0), pg_advisory_unlock_shared($2, hashtext($3))',
          keys,
        ).then(
          () => true,
          () => false,
        );
        client.release(!unlocked);
      }
    } finally {
      release();
    }
  };
}
