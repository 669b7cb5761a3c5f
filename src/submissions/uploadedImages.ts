import type { ObjectStore } from '../bucket/ObjectStore.ts';
import type { SubmissionStore } from '../store/SandboxStore.ts';
import { parseUploadKey } from './uploadKey.ts';

/**
 * The bucket's objects are the submissions' images: `uploads/<correlationId>/<SELFIE|DOCUMENT>`.
 * A write is accepted only while the submission awaits upload, in the same step as the write;
 * keys of no submission hold nothing and take nothing.
 */
export function uploadedImages(submissions: SubmissionStore): ObjectStore {
  return {
    async put(key, bytes, meta) {
      const parsed = parseUploadKey(key);
      if (!parsed) return 'locked';
      return submissions.putImage(parsed.correlationId, parsed.role, { bytes, ...meta });
    },
    async get(key) {
      const parsed = parseUploadKey(key);
      return parsed ? submissions.image(parsed.correlationId, parsed.role) : null;
    },
    async head(key) {
      const parsed = parseUploadKey(key);
      return parsed ? submissions.imageMeta(parsed.correlationId, parsed.role) : null;
    },
  };
}

/**
 * The submission (and partner) an upload key belongs to: whose business clock decides whether its
 * URL has expired, and whose journal a bucket request belongs in.
 */
export async function uploadOwner(
  submissions: Pick<SubmissionStore, 'get'>,
  key: string,
): Promise<{ correlationId: string; partnerId: string } | undefined> {
  const parsed = parseUploadKey(key);
  const submission = parsed ? await submissions.get(parsed.correlationId) : undefined;
  return submission && { correlationId: submission.correlationId, partnerId: submission.partnerId };
}

/** The bucket's early check, before it reads a body: is the submission still awaiting upload? */
export async function awaitsUpload(submissions: Pick<SubmissionStore, 'get'>, key: string): Promise<boolean> {
  const parsed = parseUploadKey(key);
  const submission = parsed ? await submissions.get(parsed.correlationId) : undefined;
  return submission?.status === 'AWAITING_UPLOAD';
}
