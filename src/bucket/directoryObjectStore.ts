import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { ObjectMeta, ObjectStore, StoredObject } from './ObjectStore.ts';
import { assertObjectKey } from './objectKey.ts';

/**
 * Objects on disk, surviving restarts (`--data-dir`). Layout, all flat in `dir`:
 *   <sha256(key)>.json             sidecar: key, content type, ETag, size, storedAt, data file name
 *   <sha256(key)>.<version>.bin    the bytes of one version
 * File names come from a hash of the key, never from the key itself, so no key can name a path
 * outside `dir` (keys are validated as well, as in every store), keys `a` and `a/b` can coexist,
 * and 1024-byte keys fit filesystem name limits. The sidecar keeps the key for humans.
 *
 * Writes are atomic: each file is written to a temp name, fsynced and renamed. The sidecar is
 * the commit point and names its data file, so a reader sees the old object or the new one,
 * never new bytes under old metadata; the previous version's bytes are removed afterwards.
 */
const Sidecar = z.object({
  key: z.string(),
  contentType: z.string(),
  etag: z.string(),
  size: z.number().int().nonnegative(),
  storedAt: z.iso.datetime(),
  // Checked so that an edited sidecar cannot point a read outside the directory either.
  dataFile: z.string().regex(/^[0-9a-f]{64}\.[0-9a-f-]{36}\.bin$/),
});
type Sidecar = z.infer<typeof Sidecar>;

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

export function createDirectoryObjectStore(dir: string, now: () => Date = () => new Date()): ObjectStore {
  let ready: Promise<unknown> | null = null;
  // Puts to one key are serialised so each sees the version it replaces and removes its bytes.
  const writing = new Map<string, Promise<void>>();

  const nameFor = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');

  async function writeAtomically(finalName: string, data: Buffer | string): Promise<void> {
    const temp = join(dir, `.${randomUUID()}.tmp`);
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, join(dir, finalName));
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async function readSidecar(key: string): Promise<Sidecar | null> {
    let text: string;
    try {
      text = await readFile(join(dir, `${nameFor(key)}.json`), 'utf8');
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    const sidecar = Sidecar.parse(JSON.parse(text));
    if (sidecar.key !== key) throw new Error(`Sidecar for ${JSON.stringify(key)} names another key`);
    return sidecar;
  }

  const metaOf = (s: Sidecar): ObjectMeta => ({
    contentType: s.contentType,
    etag: s.etag,
    size: s.size,
    storedAt: new Date(s.storedAt),
  });

  async function putNow(
    key: string,
    bytes: Buffer,
    meta: { contentType: string; etag: string },
  ): Promise<void> {
    ready ??= mkdir(dir, { recursive: true });
    await ready;
    const name = nameFor(key);
    const previous = await readSidecar(key).catch(() => null);
    const dataFile = `${name}.${randomUUID()}.bin`;
    await writeAtomically(dataFile, bytes);
    const sidecar: Sidecar = {
      key,
      contentType: meta.contentType,
      etag: meta.etag,
      size: bytes.length,
      storedAt: now().toISOString(),
      dataFile,
    };
    await writeAtomically(`${name}.json`, `${JSON.stringify(sidecar, null, 2)}\n`);
    if (previous && previous.dataFile !== dataFile) await rm(join(dir, previous.dataFile), { force: true });
  }

  return {
    put(key, bytes, meta) {
      try {
        assertObjectKey(key);
      } catch (error) {
        return Promise.reject(error);
      }
      const before = writing.get(key) ?? Promise.resolve();
      const done = before.catch(() => undefined).then(() => putNow(key, bytes, meta));
      const settled = done.catch(() => undefined);
      writing.set(key, settled);
      void settled.then(() => {
        if (writing.get(key) === settled) writing.delete(key);
      });
      return done;
    },

    async get(key): Promise<StoredObject | null> {
      assertObjectKey(key);
      // A put may replace the version between reading the sidecar and its data file; the next
      // read of the sidecar then names the new one. Three tries outlast any sane write rate.
      for (let attempt = 0; attempt < 3; attempt++) {
        const sidecar = await readSidecar(key);
        if (!sidecar) return null;
        try {
          const bytes = await readFile(join(dir, sidecar.dataFile));
          return { ...metaOf(sidecar), bytes };
        } catch (error) {
          if (!isMissing(error)) throw error;
        }
      }
      throw new Error(`Object ${JSON.stringify(key)} kept changing while being read`);
    },

    async head(key) {
      assertObjectKey(key);
      const sidecar = await readSidecar(key);
      return sidecar ? metaOf(sidecar) : null;
    },

    delete(key) {
      try {
        assertObjectKey(key);
      } catch (error) {
        return Promise.reject(error);
      }
      // Queued behind puts to the same key, so a put in progress cannot resurrect the object.
      const before = writing.get(key) ?? Promise.resolve();
      const done = before.then(async () => {
        const sidecar = await readSidecar(key).catch(() => null);
        // The sidecar first: once it is gone the object is gone for readers, whatever remains.
        await rm(join(dir, `${nameFor(key)}.json`), { force: true });
        if (sidecar) await rm(join(dir, sidecar.dataFile), { force: true });
      });
      const settled = done.catch(() => undefined);
      writing.set(key, settled);
      void settled.then(() => {
        if (writing.get(key) === settled) writing.delete(key);
      });
      return done;
    },

    async keys() {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (error) {
        if (isMissing(error)) return [];
        throw error;
      }
      const keys: string[] = [];
      for (const name of names.filter((n) => /^[0-9a-f]{64}\.json$/.test(n))) {
        try {
          keys.push(Sidecar.parse(JSON.parse(await readFile(join(dir, name), 'utf8'))).key);
        } catch {
          // Removed meanwhile, or damaged: not a key anyone can read anyway.
        }
      }
      return keys;
    },
  };
}
