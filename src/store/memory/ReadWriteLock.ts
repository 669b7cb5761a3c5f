/**
 * Many readers or one writer, writers first: a writer that is waiting holds off readers that
 * arrive after it, so a stream of readers cannot starve it. Used by the in-process stores so a
 * reset is one step (exclusive) against the transitions and set-ups it must not split (shared).
 */
export interface ReadWriteLock {
  shared<T>(fn: () => Promise<T>): Promise<T>;
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
}

export function createReadWriteLock(): ReadWriteLock {
  let readers = 0;
  let writing = false;
  const waiting: Array<{ exclusive: boolean; start: () => void }> = [];

  const admit = () => {
    while (waiting.length > 0 && !writing) {
      const next = waiting[0] as { exclusive: boolean; start: () => void };
      if (next.exclusive) {
        if (readers > 0) return;
        writing = true;
      } else {
        readers++;
      }
      waiting.shift();
      next.start();
    }
  };

  const acquire = (exclusive: boolean) =>
    new Promise<void>((start) => {
      waiting.push({ exclusive, start });
      admit();
    });

  return {
    async shared(fn) {
      await acquire(false);
      try {
        return await fn();
      } finally {
        readers--;
        admit();
      }
    },
    async exclusive(fn) {
      await acquire(true);
      try {
        return await fn();
      } finally {
        writing = false;
        admit();
      }
    },
  };
}
