import type { SecretStore } from '../SandboxStore.ts';
import type { Database } from './database.ts';
import { LOCK_CLASS } from './partnerLocks.ts';
import { reaching } from './storageErrors.ts';

/** How long a caller waits for another instance that is creating the same secret. */
const CREATION_WAIT_MS = 60_000;

/**
 * Secrets made once for the whole deployment. The first caller creates the value while holding an
 * advisory lock on its name, in a transaction that stores it: callers on other instances wait for
 * that lock and then read the value; callers on this instance share the one creation under way.
 * A `create` that fails stores nothing, and the next caller tries afresh.
 */
export function createSecretTable(ctx: { db: Database }): SecretStore {
  const { db } = ctx;
  const creating = new Map<string, Promise<string>>();

  const read = async (name: string): Promise<string | undefined> => {
    const { rows } = await db.query('SELECT value FROM facematch.secrets WHERE name = $1', [name]);
    return rows[0]?.value;
  };

  const createOnce = (name: string, create: () => Promise<string>) =>
    reaching('secrets.getOrCreate', () =>
      db.transaction(async (tx) => {
        await tx.query(
          'SELECT pg_advisory_xact_lock($1, hashtext($2))',
          [LOCK_CLASS.secret, name],
          CREATION_WAIT_MS,
        );
        const { rows } = await tx.query('SELECT value FROM facematch.secrets WHERE name = $1', [name]);
        if (rows[0]) return rows[0].value as string;
        const value = await create();
        await tx.query('INSERT INTO facematch.secrets (name, value) VALUES ($1, $2)', [name, value]);
        return value;
      }),
    );

  return {
    async getOrCreate(name, create) {
      const existing = await reaching('secrets.getOrCreate', () => read(name));
      if (existing !== undefined) return existing;
      let pending = creating.get(name);
      if (!pending) {
        pending = createOnce(name, create).finally(() => creating.delete(name));
        creating.set(name, pending);
      }
      return pending;
    },
  };
}
