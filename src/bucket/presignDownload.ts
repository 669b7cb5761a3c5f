import type { BucketCredentials } from './BucketCredentials.ts';
import { presignedUrl } from './presignedUrl.ts';

/**
 * A URL to read an object back (for tooling and tests that check what was stored). As in S3,
 * GET and HEAD are signed separately, and with an empty Content-Type, since a read sends none.
 */
export function presignDownload(p: {
  publicBaseUrl: string;
  key: string;
  expiresAt: Date;
  credentials: BucketCredentials;
  method?: 'GET' | 'HEAD';
}): { url: string; method: 'GET' | 'HEAD'; expiresAt: string } {
  const method = p.method ?? 'GET';
  const { url, expiresAt } = presignedUrl({ ...p, method, contentType: '' });
  return { url, method, expiresAt };
}
