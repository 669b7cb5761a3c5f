import type { Submission } from '../domain/Submission.ts';
import type { RecordStore } from '../store/RecordStore.ts';
import { parseUploadKey } from './uploadKey.ts';

/**
 * The bucket's write rule: an object may be written only while its submission
 * awaits upload. Once confirmed, the images are what was scored; later writes
 * would make the result lie.
 */
export function acceptsUpload(submissions: RecordStore<Submission>, key: string): boolean {
  const parsed = parseUploadKey(key);
  const submission = parsed ? submissions.get(parsed.correlationId) : undefined;
  return submission !== undefined && submission.status === 'AWAITING_UPLOAD';
}

/**
 * The submission (and partner) an upload key belongs to: whose business clock decides whether its
 * URL has expired, and whose journal a bucket request belongs in.
 */
export function uploadOwner(
  submissions: RecordStore<Submission>,
  key: string,
): { correlationId: string; partnerId: string } | undefined {
  const parsed = parseUploadKey(key);
  const submission = parsed ? submissions.get(parsed.correlationId) : undefined;
  return submission && { correlationId: submission.correlationId, partnerId: submission.partnerId };
}
