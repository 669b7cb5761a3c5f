import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { concurrently, type Stores, sleep, turns } from './harness.ts';

/** A `create` that counts its calls and makes a new value each time, slowly (like generating a key). */
export function secretMaker(label: string) {
  const made: string[] = [];
  return {
    made,
    create: async () => {
      await sleep(20);
      const value = `${label}-${randomBytes(8).toString('hex')}`;
      made.push(value);
      return value;
    },
  };
}

export function secretContract(stores: Stores): void {
  describe('secrets', () => {
    it('getOrCreate creates a secret once; later callers get that value without creating', async () => {
      const { store } = await stores.open();
      const first = secretMaker('signing');
      const value = await store.secrets.getOrCreate('token-signing-key', first.create);
      expect(first.made).toEqual([value]);
      const second = secretMaker('signing-again');
      expect(await store.secrets.getOrCreate('token-signing-key', second.create)).toBe(value);
      expect(second.made).toEqual([]);

      const bucket = secretMaker('bucket');
      const bucketValue = await store.secrets.getOrCreate('bucket-signing-secret', bucket.create);
      expect(bucket.made).toEqual([bucketValue]);
      expect(bucketValue).not.toBe(value);
    });

    it('concurrent callers get one value, and create is called once', async () => {
      const { store } = await stores.open();
      const maker = secretMaker('signing');
      const values = await concurrently(10, (i) =>
        turns(i % 3).then(() => store.secrets.getOrCreate('token-signing-key', maker.create)),
      );
      expect(new Set(values).size).toBe(1);
      expect(maker.made).toEqual([values[0]]);
    });

    it('a create that fails stores nothing: the next caller creates it', async () => {
      const { store } = await stores.open();
      await expect(
        store.secrets.getOrCreate('bucket-signing-secret', async () => {
          throw new Error('no entropy today');
        }),
      ).rejects.toThrow('no entropy today');
      const maker = secretMaker('bucket');
      const value = await store.secrets.getOrCreate('bucket-signing-secret', maker.create);
      expect(maker.made).toEqual([value]);
    });
  });
}
