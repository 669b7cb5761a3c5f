import type { BucketCredentials } from './BucketCredentials.ts';
import { assertObjectKey, encodeObjectKey } from './objectKey.ts';
import { signatureFor, stringToSign } from './presignedSignature.ts';

/** Query parameter names, spelled as OSS V1 presigned URLs spell them. */
export const PRESIGN_PARAMS = {
  accessKeyId: 'OSSAccessKeyId',
  expires: 'Expires',
  signature: 'Signature',
} as const;

/**
 * `${publicBaseUrl}/bucket/<encoded key>?OSSAccessKeyId=…&Expires=<unix s>&Signature=<base64>`.
 * Expires is rounded down to the second, so the URL never outlives what the caller asked for;
 * the returned `expiresAt` is that rounded instant, the one the bucket enforces.
 * Throws on an invalid key or content type: callers build both themselves, so that is a bug.
 */
export function presignedUrl(p: {
  publicBaseUrl: string;
  key: string;
  method: string;
  contentType: string;
  expiresAt: Date;
  credentials: BucketCredentials;
}): { url: string; expiresAt: string } {
  assertObjectKey(p.key);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a header value cannot carry these.
  if (/[\u0000-\u001f\u007f]/.test(p.contentType)) {
    throw new TypeError('contentType must not contain control characters');
  }
  const expiresMs = p.expiresAt.getTime();
  if (!Number.isFinite(expiresMs)) throw new TypeError('expiresAt must be a valid Date');
  const expires = Math.floor(expiresMs / 1000);
  const signature = signatureFor(
    stringToSign({ method: p.method, contentType: p.contentType, expires, key: p.key }),
    p.credentials.secret,
  );
  const query = new URLSearchParams([
    [PRESIGN_PARAMS.accessKeyId, p.credentials.accessKeyId],
    [PRESIGN_PARAMS.expires, String(expires)],
    [PRESIGN_PARAMS.signature, signature],
  ]);
  const base = p.publicBaseUrl.replace(/\/+$/, '');
  return {
    url: `${base}/bucket/${encodeObjectKey(p.key)}?${query.toString()}`,
    expiresAt: new Date(expires * 1000).toISOString(),
  };
}
