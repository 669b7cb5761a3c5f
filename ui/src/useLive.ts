import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { onServerChange } from './liveUpdates.ts';

export interface Live<T> {
  data: T | undefined;
  error: Error | undefined;
  reload: () => Promise<void>;
}

/**
 * Data from the admin API that stays current without a reload: loaded now, whenever `key`
 * changes, and again on every change the server reports. One load at a time; a slow answer for
 * an old key never overwrites a newer one (a load for the new key follows it).
 */
export function useLive<T>(load: () => Promise<T>, key: string): Live<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error>();
  const loadRef = useRef(load);
  loadRef.current = load;
  const keyRef = useRef(key);
  keyRef.current = key;
  const busy = useRef(false);
  const again = useRef(false);

  const reload = useCallback(async () => {
    // A change reported while a load is on the wire may have missed it: load once more after.
    if (busy.current) {
      again.current = true;
      return;
    }
    busy.current = true;
    try {
      do {
        again.current = false;
        const askedFor = keyRef.current;
        try {
          const value = await loadRef.current();
          if (askedFor === keyRef.current) {
            setData(value);
            setError(undefined);
          }
        } catch (failure) {
          if (askedFor === keyRef.current) setError(failure as Error);
        }
      } while (again.current);
    } finally {
      busy.current = false;
    }
  }, []);

  useEffect(() => {
    setData(undefined);
    void reload();
    return onServerChange(() => void reload());
  }, [key, reload]);

  return { data, error, reload };
}
