import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDirectoryObjectStore } from '../../src/bucket/directoryObjectStore.ts';
import { createMemoryObjectStore } from '../../src/bucket/memoryObjectStore.ts';
import type { ObjectStore } from '../../src/bucket/ObjectStore.ts';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function directoryStore(): Promise<ObjectStore> {
  const dir = await mkdtemp(join(tmpdir(), 'bucket-store-'));
  dirs.push(dir);
  return createDirectoryObjectStore(join(dir, 'objects'));
}

const hostileKeys = [
  '',
  '..',
  '../escape',
  'a/../../escape',
  '/absolute',
  'a//b',
  'a/./b',
  'a\\..\\b',
  'nul\u0000',
  'x'.repeat(1025),
];

describe.each([
  ['memory', async () => createMemoryObjectStore()],
  ['directory', directoryStore],
])('%s object store', (_name, makeStore) => {
  it('lists keys and deletes an object so that it reads as absent; deleting twice is fine', async () => {
    const store = await makeStore();
    const meta = { contentType: 'image/png', etag: '"e"' };
    await store.put('uploads/a/SELFIE', Buffer.from('a'), meta);
    await store.put('uploads/a/DOCUMENT', Buffer.from('b'), meta);
    expect((await store.keys()).sort()).toEqual(['uploads/a/DOCUMENT', 'uploads/a/SELFIE']);
    await store.delete('uploads/a/SELFIE');
    await store.delete('uploads/a/SELFIE');
    expect(await store.get('uploads/a/SELFIE')).toBeNull();
    expect(await store.head('uploads/a/SELFIE')).toBeNull();
    expect(await store.keys()).toEqual(['uploads/a/DOCUMENT']);
  });

  it('stores bytes with their content type, ETag, size and time', async () => {
    const store = await makeStore();
    const before = Date.now();
    await store.put('uploads/abc/SELFIE', Buffer.from('hello'), { contentType: 'image/jpeg', etag: '"e"' });
    const object = await store.get('uploads/abc/SELFIE');
    expect(object?.bytes.toString()).toBe('hello');
    expect(object).toMatchObject({ contentType: 'image/jpeg', etag: '"e"', size: 5 });
    expect(object?.storedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(await store.head('uploads/abc/SELFIE')).toEqual({
      contentType: 'image/jpeg',
      etag: '"e"',
      size: 5,
      storedAt: object?.storedAt,
    });
  });

  it('answers null for a key never stored', async () => {
    const store = await makeStore();
    expect(await store.get('uploads/none')).toBeNull();
    expect(await store.head('uploads/none')).toBeNull();
  });

  it('replaces an object written again under the same key, and keeps "a" and "a/b" apart', async () => {
    const store = await makeStore();
    await store.put('a', Buffer.from('one'), { contentType: 'text/plain', etag: '"1"' });
    await store.put('a/b', Buffer.from('nested'), { contentType: 'text/plain', etag: '"n"' });
    await store.put('a', Buffer.from('two!'), { contentType: 'image/png', etag: '"2"' });
    expect(await store.get('a')).toMatchObject({ contentType: 'image/png', etag: '"2"', size: 4 });
    expect((await store.get('a'))?.bytes.toString()).toBe('two!');
    expect((await store.get('a/b'))?.bytes.toString()).toBe('nested');
  });

  it('keeps what was stored when the caller reuses its buffer', async () => {
    const store = await makeStore();
    const bytes = Buffer.from('abc');
    await store.put('k', bytes, { contentType: 'x/y', etag: '"k"' });
    bytes.write('zzz');
    expect((await store.get('k'))?.bytes.toString()).toBe('abc');
  });

  it('rejects hostile keys on every operation', async () => {
    const store = await makeStore();
    for (const key of hostileKeys) {
      await expect(
        store.put(key, Buffer.from('x'), { contentType: 'x/y', etag: '"x"' }),
        key,
      ).rejects.toThrow();
      await expect(store.get(key), key).rejects.toThrow();
      await expect(store.head(key), key).rejects.toThrow();
    }
  });
});
