import type { BucketCredentials } from './BucketCredentials.ts';
import { presignedUrl } from './presignedUrl.ts';

export interface PresignedUpload {
  url: string;
  method: 'PUT';
  /** Headers the uploader must send unchanged; Content-Type is part of the signature. */
  headers: { 'Content-Type': string };
  /** ISO 8601; the instant after which the bucket answers AccessDenied "Request has expired". */
  expiresAt: string;
}

export function presignUpload(p: {
  publicBaseUrl: string;
  key: string;
  contentType: string;
  expiresAt: Date;
  credentials: BucketCredentials;
}): PresignedUpload {
  const { url, expiresAt } = presignedUrl({ ...p, method: 'PUT' });
  return { url, method: 'PUT', headers: { 'Content-Type': p.contentType }, expiresAt };
}
