import { describe, expect, it } from 'vitest';
import { presignUpload } from '../../src/bucket/presignUpload.ts';
import { verifyPresignedRequest } from '../../src/bucket/verifyPresignedRequest.ts';
import { credentials } from './bucketTestApp.ts';

const expiresAt = new Date('2030-01-02T03:04:05.678Z');

function upload(key = 'uploads/abc/SELFIE') {
  return presignUpload({
    publicBaseUrl: 'http://localhost:8080/',
    key,
    contentType: 'image/jpeg',
    expiresAt,
    credentials,
  });
}

function check(url: string, overrides: { method?: string; contentType?: string; now?: Date } = {}) {
  const parsed = new URL(url);
  return verifyPresignedRequest({
    method: overrides.method ?? 'PUT',
    path: parsed.pathname.replace(/^\/bucket/, ''),
    query: parsed.searchParams,
    contentType: 'contentType' in overrides ? overrides.contentType : 'image/jpeg',
    now: overrides.now ?? new Date('2030-01-01T00:00:00Z'),
    credentials,
  });
}

describe('presignUpload', () => {
  it('returns an OSS-style V1 URL under /bucket with the method, header and whole-second expiry', () => {
    const presigned = upload();
    const url = new URL(presigned.url);
    expect(`${url.origin}${url.pathname}`).toBe('http://localhost:8080/bucket/uploads/abc/SELFIE');
    expect([...url.searchParams.keys()]).toEqual(['OSSAccessKeyId', 'Expires', 'Signature']);
    expect(url.searchParams.get('OSSAccessKeyId')).toBe(credentials.accessKeyId);
    expect(url.searchParams.get('Expires')).toBe(String(Math.floor(expiresAt.getTime() / 1000)));
    expect(url.searchParams.get('Signature')).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(presigned.method).toBe('PUT');
    expect(presigned.headers).toEqual({ 'Content-Type': 'image/jpeg' });
    // Rounded down: the URL never outlives the instant the caller asked for.
    expect(presigned.expiresAt).toBe('2030-01-02T03:04:05.000Z');
  });

  it('percent-encodes each key segment and keeps the slashes', () => {
    const url = new URL(upload('uploads/a b+c/ü').url);
    expect(url.pathname).toBe('/bucket/uploads/a%20b%2Bc/%C3%BC');
    expect(check(url.toString())).toMatchObject({ ok: true, key: 'uploads/a b+c/ü' });
  });

  it('refuses keys it could never serve: presigning them is a bug of the caller', () => {
    for (const key of ['', '../x', 'a/../b', '/abs', 'a//b', 'nul\u0000', 'x'.repeat(1025)]) {
      expect(() => upload(key), key).toThrow();
    }
  });
});

describe('verifyPresignedRequest', () => {
  it('accepts the URL as issued and names the key', () => {
    expect(check(upload().url)).toEqual({
      ok: true,
      key: 'uploads/abc/SELFIE',
      expiresAt: new Date(1893553445000),
    });
  });

  it('signs method, content type, expiry and the resource path, and shows that string on a mismatch', () => {
    const result = check(upload().url, { contentType: 'image/png' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('SignatureDoesNotMatch');
    expect(Object.fromEntries(result.error.fields).StringToSign).toBe(
      'PUT\nimage/png\n1893553445\n/bucket/uploads/abc/SELFIE',
    );
  });

  it('rejects the same URL used with another method or without a Content-Type', () => {
    expect(check(upload().url, { method: 'GET' })).toMatchObject({
      ok: false,
      error: { code: 'SignatureDoesNotMatch' },
    });
    expect(check(upload().url, { contentType: undefined })).toMatchObject({
      ok: false,
      error: { code: 'SignatureDoesNotMatch' },
    });
  });

  it('reports expiry only after the signature holds, with both instants', () => {
    const result = check(upload().url, { now: new Date('2030-01-02T03:04:06Z') });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'AccessDenied', status: 403, message: 'Request has expired' },
    });
    if (result.ok) return;
    expect(Object.fromEntries(result.error.fields)).toEqual({
      Expires: '2030-01-02T03:04:05.000Z',
      ServerTime: '2030-01-02T03:04:06.000Z',
    });
    // Still valid at the very second it names.
    expect(check(upload().url, { now: new Date('2030-01-02T03:04:05.000Z') }).ok).toBe(true);
  });

  it('names an unknown access key id rather than calling it a bad signature', () => {
    const url = new URL(upload().url);
    url.searchParams.set('OSSAccessKeyId', 'someone-else');
    expect(check(url.toString())).toMatchObject({
      ok: false,
      error: { code: 'InvalidAccessKeyId', status: 403 },
    });
  });
});
