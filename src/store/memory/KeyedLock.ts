/**
 * Runs one function at a time per key, in call order: the in-process stores' per-record
 * serialisation, so a transition that awaits its write (a file, a rename) is never overtaken by
 * the next transition of the same record.
 */
export interface KeyedLock {
  run<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

export function createKeyedLock(): KeyedLock {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run(key, fn) {
      const before = tails.get(key) ?? Promise.resolve();
      const result = before.then(fn, fn);
      const tail = result.catch(() => undefined);
      tails.set(key, tail);
      // Forget the key once nothing is queued behind this call, so the map does not grow.
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
  };
}
