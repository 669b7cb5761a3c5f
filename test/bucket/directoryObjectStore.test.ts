import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDirectoryObjectStore } from '../../src/bucket/directoryObjectStore.ts';

let root: string;
let dir: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'bucket-dir-'));
  dir = join(root, 'data', 'objects');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function listAll(path: string): Promise<string[]> {
  return (await readdir(path, { recursive: true })).map(String).sort();
}

describe('directory object store', () => {
  it('finds objects written by an earlier instance (a restart loses nothing)', async () => {
    await createDirectoryObjectStore(dir).put('uploads/abc/SELFIE', Buffer.from([0xff, 0xd8, 0xff]), {
      contentType: 'image/jpeg',
      etag: '"abc"',
    });
    const reopened = createDirectoryObjectStore(dir);
    const object = await reopened.get('uploads/abc/SELFIE');
    expect(object && [...object.bytes]).toEqual([0xff, 0xd8, 0xff]);
    expect(object).toMatchObject({ contentType: 'image/jpeg', etag: '"abc"', size: 3 });
  });

  it('never writes outside its directory, whatever the key', async () => {
    await mkdir(join(root, 'data'), { recursive: true });
    const store = createDirectoryObjectStore(dir);
    for (const key of ['../escape', '../../escape', 'a/../../../escape', '/escape', '..\\escape', 'a/./b']) {
      await expect(
        store.put(key, Buffer.from('x'), { contentType: 'x/y', etag: '"x"' }),
        key,
      ).rejects.toThrow();
    }
    // Percent-escapes mean nothing to a store: '%2e%2e' is an ordinary name, stored inside dir.
    await store.put('%2e%2e/escape', Buffer.from('x'), { contentType: 'x/y', etag: '"x"' });
    const outside = (await listAll(root)).filter(
      (p) => !p.startsWith(join('data', 'objects')) && p !== 'data',
    );
    expect(outside).toEqual([]);
    expect((await listAll(dir)).filter((f) => f.endsWith('.json'))).toHaveLength(1);
  });

  it('leaves one data file and one sidecar per key after overwrites, and no temp files', async () => {
    const store = createDirectoryObjectStore(dir);
    await Promise.all(
      ['1', '22', '333', '4444'].map((body) =>
        store.put('uploads/abc/DOCUMENT', Buffer.from(body), { contentType: 'image/png', etag: `"${body}"` }),
      ),
    );
    const files = await listAll(dir);
    expect(files.filter((f) => f.endsWith('.bin'))).toHaveLength(1);
    expect(files.filter((f) => f.endsWith('.json'))).toHaveLength(1);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // Serialised per key: the last put wins, with its own metadata.
    const object = await store.get('uploads/abc/DOCUMENT');
    expect(object?.bytes.toString()).toBe('4444');
    expect(object?.etag).toBe('"4444"');
  });

  it('keeps the key in a readable sidecar', async () => {
    const store = createDirectoryObjectStore(dir);
    await store.put('uploads/abc/SELFIE', Buffer.from('x'), { contentType: 'image/jpeg', etag: '"x"' });
    const sidecarName = (await readdir(dir)).find((f) => f.endsWith('.json')) ?? '';
    const sidecar = JSON.parse(await readFile(join(dir, sidecarName), 'utf8'));
    expect(sidecar).toMatchObject({
      key: 'uploads/abc/SELFIE',
      contentType: 'image/jpeg',
      etag: '"x"',
      size: 1,
    });
  });

  it('refuses a sidecar edited to point outside the directory', async () => {
    await writeFile(join(root, 'secret'), 'do not serve');
    const store = createDirectoryObjectStore(dir);
    await store.put('k', Buffer.from('x'), { contentType: 'x/y', etag: '"x"' });
    const sidecarName = (await readdir(dir)).find((f) => f.endsWith('.json')) ?? '';
    const sidecar = JSON.parse(await readFile(join(dir, sidecarName), 'utf8'));
    await writeFile(join(dir, sidecarName), JSON.stringify({ ...sidecar, dataFile: '../../secret' }));
    await expect(store.get('k')).rejects.toThrow();
  });
});
