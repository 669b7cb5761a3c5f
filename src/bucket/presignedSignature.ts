import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The resource prefix in the signed string. It names our one logical bucket, as OSS signs
 * `/BucketName/ObjectName`, and deliberately not the host or the public base URL: a reverse
 * proxy, a path prefix or a port mapping between partner and mock must not break signatures.
 */
export const SIGNED_RESOURCE_PREFIX = '/bucket/';

/**
 * The canonical string, one field per line:
 *
 *     <METHOD>\n<Content-Type>\n<Expires unix seconds>\n/bucket/<decoded key>
 *
 * Why these parts:
 * - method: a URL issued for PUT cannot be replayed as another method against the same object;
 * - Content-Type: the uploader must send exactly the type the URL was issued for, so what lands
 *   in the bucket is labelled as the flow expects (and a PUT cannot relabel an image as HTML);
 * - Expires: editing the query to extend a URL's life breaks the signature;
 * - resource: binds the URL to one object. The key is signed decoded, so equivalent
 *   percent-encodings of one key verify alike.
 * Left out: the access key id (as in S3/OSS V1 it only selects the secret), Content-MD5 (we
 * never issue digests, and a slot nobody fills only invites mismatches) and the length (the
 * bucket's size cap applies instead, so one URL fits any image up to the cap).
 * The newline join is unambiguous: methods are tokens, Expires is digits, HTTP header values
 * cannot contain newlines, and valid object keys contain no control characters.
 */
export function stringToSign(p: {
  method: string;
  contentType: string;
  expires: number;
  key: string;
}): string {
  return [p.method, p.contentType, String(p.expires), `${SIGNED_RESOURCE_PREFIX}${p.key}`].join('\n');
}

export function signatureFor(canonical: string, secret: string): string {
  return createHmac('sha256', secret).update(canonical, 'utf8').digest('base64');
}

/** Constant-time, so response timing cannot be used to guess a signature byte by byte. */
export function signaturesMatch(expected: string, provided: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(provided, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
