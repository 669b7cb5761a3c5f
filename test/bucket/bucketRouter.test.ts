import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createBucketRouter } from '../../src/bucket/bucketRouter.ts';
import { presignDownload } from '../../src/bucket/presignDownload.ts';
import { presignUpload } from '../../src/bucket/presignUpload.ts';
import { openSubmission } from '../../src/domain/submissionLifecycle.ts';
import { createDirectoryStore } from '../../src/store/directory/createDirectoryStore.ts';
import { uploadedImages } from '../../src/submissions/uploadedImages.ts';
import { bucketTestApp, credentials, inAnHour, pathOf, xmlElement } from './bucketTestApp.ts';
import { createMemoryObjectStore } from './memoryObjectStore.ts';

const KEY = 'uploads/abc/SELFIE';
const JPEG_BYTES = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]);

function presigned(key = KEY, contentType = 'image/jpeg', expiresAt = inAnHour()) {
  return presignUpload({ publicBaseUrl: 'http://bucket.test', key, contentType, expiresAt, credentials });
}

function md5Etag(bytes: Buffer): string {
  return `"${createHash('md5').update(bytes).digest('hex')}"`;
}

/** Parses the parts of an error document a partner reads, and checks it is one. */
function s3Error(res: request.Response): { code?: string; message?: string; body: string } {
  expect(res.headers['content-type']).toMatch(/^application\/xml/);
  const body = res.text;
  expect(body.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
  expect(xmlElement(body, 'RequestId')).toMatch(/^[0-9A-F]+$/);
  expect(xmlElement(body, 'HostId')).toBeTruthy();
  return { code: xmlElement(body, 'Code'), message: xmlElement(body, 'Message'), body };
}

describe('PUT to a presigned URL', () => {
  it('stores the bytes and answers 200 with the MD5 ETag and an empty body', async () => {
    const { app, store } = bucketTestApp();
    const upload = presigned();
    const res = await request(app).put(pathOf(upload.url)).set(upload.headers).send(JPEG_BYTES);
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe(md5Etag(JPEG_BYTES));
    expect(res.text).toBe('');
    const stored = await store.get(KEY);
    expect(stored?.bytes.equals(JPEG_BYTES)).toBe(true);
    expect(stored).toMatchObject({
      contentType: 'image/jpeg',
      etag: md5Etag(JPEG_BYTES),
      size: JPEG_BYTES.length,
    });
  });

  it('accepts bytes that are not an image, as an object store would', async () => {
    const { app, store } = bucketTestApp();
    const upload = presigned();
    const text = Buffer.from('this is not a jpeg');
    const res = await request(app).put(pathOf(upload.url)).set(upload.headers).send(text);
    expect(res.status).toBe(200);
    expect((await store.get(KEY))?.bytes.toString()).toBe('this is not a jpeg');
  });

  it('stores a JSON-typed object raw, untouched by the JSON parser the app mounts after it', async () => {
    const { app, store } = bucketTestApp();
    const upload = presigned(KEY, 'application/json');
    const res = await request(app).put(pathOf(upload.url)).set(upload.headers).send('{"a": 1}');
    expect(res.status).toBe(200);
    expect((await store.get(KEY))?.bytes.toString()).toBe('{"a": 1}');
  });

  it('answers SignatureDoesNotMatch for a tampered signature, key or Expires, and stores nothing', async () => {
    const { app, store } = bucketTestApp();
    const upload = presigned();
    const url = new URL(upload.url);

    const signature = new URL(url);
    signature.searchParams.set('Signature', `A${(url.searchParams.get('Signature') ?? '').slice(1)}`);
    const otherKey = new URL(url);
    otherKey.pathname = '/bucket/uploads/abc/DOCUMENT';
    const later = new URL(url);
    later.searchParams.set('Expires', String(Number(url.searchParams.get('Expires')) + 3600));
    const earlier = new URL(url);
    earlier.searchParams.set('Expires', String(Math.floor(Date.now() / 1000) - 60));

    for (const tampered of [signature, otherKey, later, earlier]) {
      const res = await request(app).put(pathOf(tampered.toString())).set(upload.headers).send(JPEG_BYTES);
      expect(res.status, tampered.toString()).toBe(403);
      expect(s3Error(res).code).toBe('SignatureDoesNotMatch');
    }
    expect(await store.get(KEY)).toBeNull();
    expect(await store.get('uploads/abc/DOCUMENT')).toBeNull();
  });

  it('answers SignatureDoesNotMatch for a Content-Type other than the signed one, showing what it signed', async () => {
    const { app, store } = bucketTestApp();
    const upload = presigned();
    for (const contentType of ['image/png', 'image/jpeg; charset=binary', 'IMAGE/JPEG']) {
      const res = await request(app)
        .put(pathOf(upload.url))
        .set('Content-Type', contentType)
        .send(JPEG_BYTES);
      expect(res.status).toBe(403);
      const error = s3Error(res);
      expect(error.code).toBe('SignatureDoesNotMatch');
      expect(error.message).toMatch(/Content-Type/);
      expect(xmlElement(error.body, 'StringToSign')?.split('\n')[1]).toBe(contentType);
    }
    expect(await store.get(KEY)).toBeNull();
  });

  it('answers AccessDenied "Request has expired" with Expires and ServerTime once the URL has expired', async () => {
    const { app, store } = bucketTestApp();
    const upload = presigned(KEY, 'image/jpeg', new Date(Date.now() - 5_000));
    const res = await request(app).put(pathOf(upload.url)).set(upload.headers).send(JPEG_BYTES);
    expect(res.status).toBe(403);
    const error = s3Error(res);
    expect(error.code).toBe('AccessDenied');
    expect(error.message).toBe('Request has expired');
    expect(xmlElement(error.body, 'Expires')).toBe(upload.expiresAt);
    const serverTime = Date.parse(xmlElement(error.body, 'ServerTime') ?? '');
    expect(serverTime).toBeGreaterThan(Date.parse(upload.expiresAt));
    expect(await store.get(KEY)).toBeNull();
  });

  it('answers EntityTooLarge with the cap and the declared size, and stores nothing', async () => {
    const { app, store } = bucketTestApp({ maxObjectBytes: 16 });
    const upload = presigned();
    const res = await request(app).put(pathOf(upload.url)).set(upload.headers).send(Buffer.alloc(17, 1));
    expect(res.status).toBe(400);
    const error = s3Error(res);
    expect(error.code).toBe('EntityTooLarge');
    expect(xmlElement(error.body, 'MaxSizeAllowed')).toBe('16');
    expect(xmlElement(error.body, 'ProposedSize')).toBe('17');
    expect(res.headers.connection).toBe('close');
    expect(await store.get(KEY)).toBeNull();

    const exactlyAtCap = await request(app)
      .put(pathOf(upload.url))
      .set(upload.headers)
      .send(Buffer.alloc(16, 1));
    expect(exactlyAtCap.status).toBe(200);
  });

  it('answers AccessDenied when the owner has locked the key, and stores nothing', async () => {
    const asked: string[] = [];
    const { app, store } = bucketTestApp({
      canWrite: async (key) => {
        asked.push(key);
        return false;
      },
    });
    const upload = presigned();
    const res = await request(app).put(pathOf(upload.url)).set(upload.headers).send(JPEG_BYTES);
    expect(res.status).toBe(403);
    const error = s3Error(res);
    expect(error.code).toBe('AccessDenied');
    expect(error.message).toMatch(/already confirmed; request a new presigned URL/);
    expect(asked).toEqual([KEY]);
    expect(await store.get(KEY)).toBeNull();
  });

  it('answers AccessDenied when the store refuses the write at the end, though the early check let it through', async () => {
    // canWrite is only the early check, before the body is read; the store's put decides in the same
    // step as the write (the submission may have been confirmed while the body was arriving).
    const asked: string[] = [];
    const { app, store } = bucketTestApp({
      canWrite: (key) => {
        asked.push(key);
        return true;
      },
      store: createMemoryObjectStore({ locked: () => true }),
    });
    const upload = presigned();
    const res = await request(app).put(pathOf(upload.url)).set(upload.headers).send(JPEG_BYTES);
    expect(res.status).toBe(403);
    const error = s3Error(res);
    expect(error.code).toBe('AccessDenied');
    expect(error.message).toMatch(/already confirmed; request a new presigned URL/);
    expect(xmlElement(error.body, 'Key')).toBe(KEY);
    expect(res.headers.etag).toBeUndefined();
    expect(asked).toEqual([KEY]);
    expect(await store.get(KEY)).toBeNull();
  });

  it('answers InternalError in XML when the store or the owner fails, never an express error page', async () => {
    const told: unknown[] = [];
    const failing = createMemoryObjectStore();
    const broken = bucketTestApp({
      store: {
        ...failing,
        put: async () => {
          throw new Error('disk on fire');
        },
      },
      onError: (error) => told.push(error),
    });
    const upload = presigned();
    const res = await request(broken.app).put(pathOf(upload.url)).set(upload.headers).send(JPEG_BYTES);
    expect(res.status).toBe(500);
    expect(s3Error(res).code).toBe('InternalError');
    expect(told).toEqual([expect.objectContaining({ message: 'disk on fire' })]);

    const throwing = bucketTestApp({
      canWrite: () => {
        throw new Error('owner unavailable');
      },
    });
    const res2 = await request(throwing.app).put(pathOf(upload.url)).set(upload.headers).send(JPEG_BYTES);
    expect(res2.status).toBe(500);
    expect(s3Error(res2).code).toBe('InternalError');
  });

  it('answers ServiceUnavailable with Retry-After when the storage cannot be written, and stores nothing', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'bucket-broken-'));
    const store = await createDirectoryStore(dataDir, {
      retention: { imageSeconds: 3600, submissionSeconds: 86_400 },
      journalCapacity: 10,
      initialClock: 'real',
      now: () => new Date(),
      warn: () => undefined,
    });
    try {
      await store.submissions.create(
        openSubmission(
          {
            correlationId: 'abc',
            partnerId: 'demo',
            referenceId: null,
            documentType: 'KTP',
            callbackUrl: null,
            contentTypes: { SELFIE: 'image/jpeg', DOCUMENT: 'image/jpeg' },
          },
          new Date(),
        ),
      );
      // The folder image bytes go to is now a file: every write of them fails for real (StorageError).
      await rm(join(dataDir, 'store', 'blobs'), { recursive: true, force: true });
      await writeFile(join(dataDir, 'store', 'blobs'), '');
      const told: unknown[] = [];
      const { app } = bucketTestApp({
        store: uploadedImages(store.submissions),
        onError: (e) => told.push(e),
      });
      const upload = presigned();
      const res = await request(app).put(pathOf(upload.url)).set(upload.headers).send(JPEG_BYTES);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(s3Error(res).code).toBe('ServiceUnavailable');
      expect(await store.submissions.imageMeta('abc', 'SELFIE')).toBeNull();
      // The storage being away is no failure of ours: nothing to report as a bug.
      expect(told).toEqual([]);
    } finally {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('mount order', () => {
  it('refuses to store an empty object when a body parser mounted before it took the bytes', async () => {
    const store = createMemoryObjectStore();
    const app = express();
    app.use(express.raw({ type: '*/*' }));
    app.use('/bucket', createBucketRouter({ store, credentials, maxObjectBytes: 1024 }));
    const upload = presigned();
    const res = await request(app).put(pathOf(upload.url)).set(upload.headers).send(JPEG_BYTES);
    expect(res.status).toBe(500);
    expect(s3Error(res).code).toBe('InternalError');
    expect(await store.get(KEY)).toBeNull();
  });
});

describe('bad input is answered in XML', () => {
  const upload = presigned();
  const query = new URL(upload.url).search;

  it('refuses hostile keys before looking at the signature', async () => {
    const { app } = bucketTestApp();
    const cases: Array<[path: string, code: string]> = [
      ['/bucket/%2E%2E/etc/passwd', 'InvalidArgument'],
      ['/bucket/uploads/%2e%2e/%2e%2e/x', 'InvalidArgument'],
      ['/bucket/uploads/..%2F..%2Fx', 'InvalidArgument'],
      ['/bucket/uploads/a%00b', 'InvalidArgument'],
      ['/bucket/uploads/a%5Cb', 'InvalidArgument'],
      ['/bucket/uploads//x', 'InvalidArgument'],
      ['/bucket/', 'InvalidArgument'],
      [`/bucket/${'k'.repeat(1100)}`, 'KeyTooLongError'],
      ['/bucket/uploads/%zz', 'InvalidURI'],
      ['/bucket/uploads/%C3', 'InvalidURI'],
    ];
    for (const [path, code] of cases) {
      const res = await request(app).put(`${path}${query}`).set(upload.headers).send(JPEG_BYTES);
      expect(res.status, path).toBe(400);
      expect(s3Error(res).code, path).toBe(code);
    }
  });

  it('names missing, duplicated and malformed query parameters', async () => {
    const { app } = bucketTestApp();
    const url = new URL(upload.url);
    const without = (name: string) => {
      const u = new URL(url);
      u.searchParams.delete(name);
      return u;
    };
    const duplicated = new URL(url);
    duplicated.searchParams.append('Signature', 'again');
    const wordy = new URL(url);
    wordy.searchParams.set('Expires', 'tomorrow');
    const negative = new URL(url);
    negative.searchParams.set('Expires', '-5');

    const cases: Array<[URL, string]> = [
      [without('OSSAccessKeyId'), 'OSSAccessKeyId'],
      [without('Expires'), 'Expires'],
      [without('Signature'), 'Signature'],
      [duplicated, 'Signature'],
      [wordy, 'Expires'],
      [negative, 'Expires'],
    ];
    for (const [target, argument] of cases) {
      const res = await request(app).put(pathOf(target.toString())).set(upload.headers).send(JPEG_BYTES);
      expect(res.status, target.search).toBe(400);
      const error = s3Error(res);
      expect(error.code).toBe('InvalidArgument');
      expect(xmlElement(error.body, 'ArgumentName')).toBe(argument);
    }
    const bare = await request(app).put('/bucket/uploads/abc/SELFIE').set(upload.headers).send(JPEG_BYTES);
    expect(s3Error(bare).code).toBe('InvalidArgument');
  });

  it('answers MethodNotAllowed with Allow for methods an object does not support', async () => {
    const { app } = bucketTestApp();
    for (const method of ['post', 'delete', 'patch'] as const) {
      const res = await request(app)[method](pathOf(upload.url)).set(upload.headers).send(JPEG_BYTES);
      expect(res.status, method).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD, PUT');
      const error = s3Error(res);
      expect(error.code).toBe('MethodNotAllowed');
      expect(xmlElement(error.body, 'Method')).toBe(method.toUpperCase());
    }
  });

  it('escapes what it echoes, so the document stays well-formed', async () => {
    const { app } = bucketTestApp();
    const key = 'uploads/<a href="x">&\'/SELFIE';
    const download = presignDownload({
      publicBaseUrl: 'http://bucket.test',
      key,
      expiresAt: inAnHour(),
      credentials,
    });
    const res = await request(app).get(pathOf(download.url));
    expect(res.status).toBe(404);
    const error = s3Error(res);
    expect(error.code).toBe('NoSuchKey');
    expect(xmlElement(error.body, 'Key')).toBe(key);
  });
});

describe('GET and HEAD with a presigned download URL', () => {
  it('return the stored object and its metadata', async () => {
    const { app } = bucketTestApp();
    const upload = presigned();
    await request(app).put(pathOf(upload.url)).set(upload.headers).send(JPEG_BYTES).expect(200);

    const get = presignDownload({
      publicBaseUrl: 'http://bucket.test',
      key: KEY,
      expiresAt: inAnHour(),
      credentials,
    });
    const res = await request(app)
      .get(pathOf(get.url))
      .buffer(true)
      .parse((response, done) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    expect(res.headers.etag).toBe(md5Etag(JPEG_BYTES));
    expect((res.body as Buffer).equals(JPEG_BYTES)).toBe(true);

    const head = presignDownload({
      publicBaseUrl: 'http://bucket.test',
      key: KEY,
      expiresAt: inAnHour(),
      credentials,
      method: 'HEAD',
    });
    const headRes = await request(app).head(pathOf(head.url));
    expect(headRes.status).toBe(200);
    expect(headRes.headers['content-length']).toBe(String(JPEG_BYTES.length));
    expect(headRes.headers.etag).toBe(md5Etag(JPEG_BYTES));
  });

  it('answer NoSuchKey for a key never uploaded, and refuse the upload URL for reading', async () => {
    const { app } = bucketTestApp();
    const get = presignDownload({
      publicBaseUrl: 'http://bucket.test',
      key: KEY,
      expiresAt: inAnHour(),
      credentials,
    });
    const res = await request(app).get(pathOf(get.url));
    expect(res.status).toBe(404);
    expect(s3Error(res).code).toBe('NoSuchKey');

    const head = presignDownload({
      publicBaseUrl: 'http://bucket.test',
      key: KEY,
      expiresAt: inAnHour(),
      credentials,
      method: 'HEAD',
    });
    expect((await request(app).head(pathOf(head.url))).status).toBe(404);

    const upload = presigned();
    const replayed = await request(app).get(pathOf(upload.url));
    expect(replayed.status).toBe(403);
    expect(s3Error(replayed).code).toBe('SignatureDoesNotMatch');
  });
});
