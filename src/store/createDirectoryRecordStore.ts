import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecordStore } from './RecordStore.ts';
import { StorageError } from './StorageError.ts';

const FILE_SUFFIX = '.json';

/**
 * Records are held in memory and written through to `dir`, one file per key.
 * Writes go to a temporary file first and are renamed into place, so a crash
 * mid-write leaves the previous version intact rather than a torn file.
 *
 * Keys are encoded into file names, so a hostile key can never name a path
 * outside `dir`.
 */
export function createDirectoryRecordStore<T>(
  dir: string,
  onUnreadable: (file: string, error: unknown) => void,
): RecordStore<T> {
  mkdirSync(dir, { recursive: true });
  const records = new Map<string, T>();
  for (const file of readdirSync(dir)) {
    if (!file.endsWith(FILE_SUFFIX)) continue;
    try {
      const key = decodeURIComponent(file.slice(0, -FILE_SUFFIX.length));
      records.set(key, JSON.parse(readFileSync(join(dir, file), 'utf8')) as T);
    } catch (error) {
      // One damaged file must not stop the server from serving every other submission.
      onUnreadable(join(dir, file), error);
    }
  }
  // Writes to the same key are chained so an older write can never land after a newer one.
  const pending = new Map<string, Promise<void>>();
  return {
    get: (key) => records.get(key),
    values: () => [...records.values()],
    keys: () => [...records.keys()],
    delete(key) {
      records.delete(key);
      const path = join(dir, encodeURIComponent(key) + FILE_SUFFIX);
      // After any write still on its way, or that write would bring the record back.
      const previous = pending.get(key) ?? Promise.resolve();
      const removal = previous
        .catch(() => undefined)
        .then(() => rm(path, { force: true }))
        .catch((error: unknown) => {
          throw new StorageError(`(delete) ${path}`, error);
        });
      pending.set(key, removal);
      const forget = () => {
        if (pending.get(key) === removal) pending.delete(key);
      };
      removal.then(forget, forget);
      return removal;
    },
    put(key, record) {
      const before = records.get(key);
      records.set(key, record);
      const path = join(dir, encodeURIComponent(key) + FILE_SUFFIX);
      const previous = pending.get(key) ?? Promise.resolve();
      const write = previous
        .catch(() => undefined)
        .then(async () => {
          const temp = `${path}.${randomUUID()}.tmp`;
          try {
            await writeFile(temp, JSON.stringify(record));
            await rename(temp, path);
          } catch (error) {
            await rm(temp, { force: true }).catch(() => undefined);
            // What readers see must match the disk, or a restart would tell another story.
            if (records.get(key) === record) {
              if (before === undefined) records.delete(key);
              else records.set(key, before);
            }
            throw new StorageError(`${dir}/${encodeURIComponent(key)}${FILE_SUFFIX}`, error);
          }
        });
      pending.set(key, write);
      const forget = () => {
        if (pending.get(key) === write) pending.delete(key);
      };
      // The caller gets the rejection; this bookkeeping branch must not raise a second, unhandled one.
      write.then(forget, forget);
      return write;
    },
  };
}
