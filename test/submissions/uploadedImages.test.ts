import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { openSubmission } from '../../src/domain/submissionLifecycle.ts';
import { createMemoryStore } from '../../src/store/memory/createMemoryStore.ts';
import type { SandboxStore } from '../../src/store/SandboxStore.ts';
import { awaitsUpload, uploadedImages, uploadOwner } from '../../src/submissions/uploadedImages.ts';

const stores: SandboxStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

const storedAt = new Date('2026-03-01T10:00:00Z');

/** A memory store holding one submission, `abc` of partner demo, awaiting its uploads. */
async function bucketOverStore() {
  const store = await createMemoryStore({
    retention: { imageSeconds: 3600, submissionSeconds: 86_400 },
    journalCapacity: 10,
    initialClock: 'real',
    now: () => storedAt,
  });
  stores.push(store);
  await store.submissions.create(
    openSubmission(
      {
        correlationId: 'abc',
        partnerId: 'demo',
        referenceId: null,
        documentType: 'KTP',
        callbackUrl: null,
        contentTypes: { SELFIE: 'image/jpeg', DOCUMENT: 'image/png' },
      },
      storedAt,
    ),
  );
  return { store, bucket: uploadedImages(store.submissions) };
}

const meta = (bytes: Buffer, contentType = 'image/jpeg') => ({
  contentType,
  etag: `"${createHash('md5').update(bytes).digest('hex')}"`,
});

describe('uploadedImages (the bucket over the submissions)', () => {
  it('stores an image with its content type, ETag, size and upload time, and replaces it while awaiting upload', async () => {
    const { bucket, store } = await bucketOverStore();
    const first = Buffer.from('hello');
    expect(await bucket.put('uploads/abc/SELFIE', first, meta(first))).toBe('stored');
    const second = Buffer.from('hello again');
    expect(await bucket.put('uploads/abc/SELFIE', second, meta(second, 'image/png'))).toBe('stored');
    const document = Buffer.from('document');
    expect(await bucket.put('uploads/abc/DOCUMENT', document, meta(document))).toBe('stored');

    const object = await bucket.get('uploads/abc/SELFIE');
    expect(object?.bytes.toString()).toBe('hello again');
    expect(object).toMatchObject({ ...meta(second, 'image/png'), size: second.length, storedAt });
    expect(await bucket.head('uploads/abc/SELFIE')).toEqual({
      ...meta(second, 'image/png'),
      size: second.length,
      storedAt,
    });
    expect((await bucket.get('uploads/abc/DOCUMENT'))?.bytes.toString()).toBe('document');
    // The object is the submission's image: the store serves the same.
    expect((await store.submissions.image('abc', 'SELFIE'))?.bytes.toString()).toBe('hello again');
  });

  it('keeps what was stored when the caller reuses its buffer, or changes what it read', async () => {
    const { bucket } = await bucketOverStore();
    const bytes = Buffer.from('abc');
    await bucket.put('uploads/abc/SELFIE', bytes, meta(bytes));
    bytes.write('zzz');
    const read = await bucket.get('uploads/abc/SELFIE');
    read?.bytes.write('yyy');
    expect((await bucket.get('uploads/abc/SELFIE'))?.bytes.toString()).toBe('abc');
  });

  it('holds nothing and takes nothing under keys of no submission', async () => {
    const { bucket, store } = await bucketOverStore();
    const keys = [
      'uploads/nobody/SELFIE',
      'uploads/abc/PORTRAIT',
      'uploads/abc/selfie',
      'uploads/abc/SELFIE/extra',
      'uploads/abc',
      'objects/abc/SELFIE',
      'a',
      // Hostile ones, though the router refuses them first: they name no submission either.
      'uploads/../SELFIE',
      '../uploads/abc/SELFIE',
      'uploads//SELFIE',
    ];
    const bytes = Buffer.from('x');
    for (const key of keys) {
      expect(await bucket.put(key, bytes, meta(bytes)), key).toBe('locked');
      expect(await bucket.get(key), key).toBeNull();
      expect(await bucket.head(key), key).toBeNull();
      expect(await uploadOwner(store.submissions, key), key).toBeUndefined();
      expect(await awaitsUpload(store.submissions, key), key).toBe(false);
    }
    // Nothing landed on the submission the keys resemble.
    expect(await store.submissions.imageMeta('abc', 'SELFIE')).toBeNull();
    expect(await store.submissions.imageMeta('abc', 'DOCUMENT')).toBeNull();
  });

  it('takes nothing once the submission is confirmed, keeping the confirmed image', async () => {
    const { bucket, store } = await bucketOverStore();
    for (const role of ['SELFIE', 'DOCUMENT']) {
      const bytes = Buffer.from(role);
      await bucket.put(`uploads/abc/${role}`, bytes, meta(bytes));
    }
    expect(await awaitsUpload(store.submissions, 'uploads/abc/SELFIE')).toBe(true);
    expect((await store.submissions.confirm('abc', 'demo', storedAt, null)).kind).toBe('started');

    expect(await awaitsUpload(store.submissions, 'uploads/abc/SELFIE')).toBe(false);
    const late = Buffer.from('late');
    expect(await bucket.put('uploads/abc/SELFIE', late, meta(late))).toBe('locked');
    expect((await bucket.get('uploads/abc/SELFIE'))?.bytes.toString()).toBe('SELFIE');
  });

  it('names the owner of a key: its submission and partner', async () => {
    const { store } = await bucketOverStore();
    expect(await uploadOwner(store.submissions, 'uploads/abc/DOCUMENT')).toEqual({
      correlationId: 'abc',
      partnerId: 'demo',
    });
  });
});
