import type { SecretStore } from '../SandboxStore.ts';
import { reaching } from './storageErrors.ts';
import type { StoreContext } from './storeContext.ts';

/**
 * Secrets made once for the whole deployment. Instances starting together may each create a
 * candidate; the first insert wins and everyone, the losers included, reads the winner's value.
 */
export function createSecretTable(ctx: Pick<StoreContext, 'db'>): SecretStore {
  const { db } = ctx;
  const read = async (name: string): Promise<string | undefined> => {
    const { rows } = await db.query('SELECT value FROM facematch.secrets WHERE name = $1', [name]);
    return rows[0]?.value;
  };
  return {
    async getOrCreate(name, create) {
      const existing = await reaching('secrets.getOrCreate', () => read(name));
      if (existing !== undefined) return existing;
      // Made outside any transaction: `create` may take its time (key generation).
      const candidate = await create();
      return reaching('secrets.getOrCreate', async () => {
        const { rows } = await db.query(
          'INSERT INTO facematch.secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING value',
          [name, candidate],
        );
        const value = rows[0]?.value ?? (await read(name));
        if (value === undefined) throw new Error(`secret ${name} vanished while it was being created`);
        return value;
      });
    },
  };
}
