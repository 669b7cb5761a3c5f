import type { BucketCredentials } from './BucketCredentials.ts';
import { checkObjectKey, decodeObjectKeyPath } from './objectKey.ts';
import { signatureFor, signaturesMatch, stringToSign } from './presignedSignature.ts';
import { PRESIGN_PARAMS } from './presignedUrl.ts';
import { type S3Error, s3Errors } from './s3Error.ts';

export type PresignedRequestCheck =
  | { ok: true; key: string; expiresAt: Date }
  | { ok: false; error: S3Error };

/** Expires is a unix time in seconds; 12 digits reach past the year 30000 and keep Date happy. */
const EXPIRES_PATTERN = /^\d{1,12}$/;

/**
 * Checks a request against its presigned query.
 * - `path`: the request path below the bucket mount, still percent-encoded (`/uploads/a/SELFIE`);
 * - `query`: the raw query, parsed so that duplicated parameters stay visible;
 * - `contentType`: the Content-Type header as sent (absent counts as empty, as S3 signs it).
 *
 * The signature is checked before expiry, so any edit of the URL (including moving Expires into
 * the past) reads as SignatureDoesNotMatch, and "Request has expired" only ever means a genuine
 * URL ran out of time — the one case where asking for a new URL is the fix.
 */
export function verifyPresignedRequest(p: {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType: string | undefined;
  now: Date;
  credentials: BucketCredentials;
}): PresignedRequestCheck {
  const key = decodeObjectKeyPath(p.path);
  if (key === null) return { ok: false, error: s3Errors.invalidUri({ path: p.path }) };
  const keyProblem = checkObjectKey(key);
  if (keyProblem?.kind === 'too-long') {
    return {
      ok: false,
      error: s3Errors.keyTooLong({ bytes: keyProblem.bytes, maxBytes: keyProblem.maxBytes }),
    };
  }
  if (keyProblem) {
    return {
      ok: false,
      error: s3Errors.invalidArgument({ name: 'key', value: key, message: keyProblem.reason }),
    };
  }

  const params: Record<keyof typeof PRESIGN_PARAMS, string> = { accessKeyId: '', expires: '', signature: '' };
  for (const [field, name] of Object.entries(PRESIGN_PARAMS) as Array<
    [keyof typeof PRESIGN_PARAMS, string]
  >) {
    const values = p.query.getAll(name);
    if (values.length !== 1) {
      const message =
        values.length === 0
          ? `Query parameter ${name} is missing; use the presigned URL exactly as issued.`
          : `Query parameter ${name} appears ${values.length} times; it must appear once.`;
      return {
        ok: false,
        error: s3Errors.invalidArgument({ name, value: values.join(',') || null, message }),
      };
    }
    params[field] = values[0] ?? '';
  }

  if (!EXPIRES_PATTERN.test(params.expires)) {
    return {
      ok: false,
      error: s3Errors.invalidArgument({
        name: PRESIGN_PARAMS.expires,
        value: params.expires,
        message: 'Query parameter Expires must be a unix time in whole seconds.',
      }),
    };
  }
  const expires = Number(params.expires);

  if (params.accessKeyId !== p.credentials.accessKeyId) {
    return { ok: false, error: s3Errors.invalidAccessKeyId({ accessKeyId: params.accessKeyId }) };
  }

  const canonical = stringToSign({ method: p.method, contentType: p.contentType ?? '', expires, key });
  if (!signaturesMatch(signatureFor(canonical, p.credentials.secret), params.signature)) {
    return {
      ok: false,
      error: s3Errors.signatureDoesNotMatch({
        stringToSign: canonical,
        signatureProvided: params.signature,
        accessKeyId: params.accessKeyId,
      }),
    };
  }

  const expiresAt = new Date(expires * 1000);
  if (p.now.getTime() > expiresAt.getTime()) {
    return { ok: false, error: s3Errors.requestExpired({ expiresAt, now: p.now }) };
  }
  return { ok: true, key, expiresAt };
}
