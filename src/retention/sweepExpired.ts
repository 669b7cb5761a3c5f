import type { ObjectStore } from '../bucket/ObjectStore.ts';
import type { CallbackLog } from '../callbacks/CallbackLog.ts';
import { IMAGE_ROLES, type Submission } from '../domain/Submission.ts';
import type { ImageRole } from '../scoring/ScoringEngine.ts';
import type { RecordStore } from '../store/RecordStore.ts';
import { isExpired } from './isExpired.ts';

export interface RetentionPolicy {
  /** Uploaded images live this long after their upload. */
  imageSeconds: number;
  /** A submission, its callback log and its Idempotency-Key answers live this long after creation. */
  submissionSeconds: number;
}

export interface RetainedStores {
  objects: ObjectStore;
  submissions: RecordStore<Submission>;
  idempotency: RecordStore<{ storedAt: string }>;
  callbackLog: CallbackLog;
  objectKey(correlationId: string, role: ImageRole): string;
}

/**
 * Deletes what the retention policy says must go — face images first of all —
 * from memory and disk alike. Reads already hide expired data (see
 * expiringRecords/expiringObjects); this frees the space and the files.
 */
export async function sweepExpired(
  stores: RetainedStores,
  policy: RetentionPolicy,
  now: Date,
): Promise<{ images: number; submissions: number; answers: number }> {
  let images = 0;
  for (const key of await stores.objects.keys()) {
    const meta = await stores.objects.head(key);
    if (meta && isExpired(meta.storedAt, policy.imageSeconds, now)) {
      await stores.objects.delete(key);
      images++;
    }
  }
  let submissions = 0;
  for (const submission of stores.submissions.values()) {
    if (!isExpired(submission.createdAt, policy.submissionSeconds, now)) continue;
    const { correlationId } = submission;
    for (const role of IMAGE_ROLES) await stores.objects.delete(stores.objectKey(correlationId, role));
    await stores.callbackLog.deleteByCorrelationId(correlationId);
    // The record last: if the sweep is cut short, the next one still finds what belongs to it.
    await stores.submissions.delete(correlationId);
    submissions++;
  }
  let answers = 0;
  for (const key of stores.idempotency.keys()) {
    const answer = stores.idempotency.get(key);
    if (answer && isExpired(answer.storedAt, policy.submissionSeconds, now)) {
      await stores.idempotency.delete(key);
      answers++;
    }
  }
  return { images, submissions, answers };
}
