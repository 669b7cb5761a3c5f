import { visibleTo } from '../domain/partnerAccess.ts';
import { IMAGE_ROLES, type Submission } from '../domain/Submission.ts';
import type { ImageRole } from '../scoring/ScoringEngine.ts';
import type { FlowDeps, PresignedUpload } from './FlowDeps.ts';
import { presignUploads } from './startSubmission.ts';

export type ReissueAnswer =
  | { kind: 'reissued'; submission: Submission; uploads: PresignedUpload[] }
  | { kind: 'not-found' }
  | { kind: 'already-confirmed'; submission: Submission };

/**
 * The fix the bucket's "Request has expired" asks for: fresh presigned URLs
 * for a submission whose images are not confirmed yet. Nothing is lost: an
 * image already uploaded stays until it is replaced.
 */
export async function reissueUploads(
  deps: FlowDeps,
  partnerId: string,
  correlationId: string,
  roles: readonly ImageRole[] = IMAGE_ROLES,
): Promise<ReissueAnswer> {
  const submission = visibleTo(await deps.store.submissions.get(correlationId), partnerId);
  if (!submission) return { kind: 'not-found' };
  if (submission.status !== 'AWAITING_UPLOAD') return { kind: 'already-confirmed', submission };
  const now = await deps.clocks.now(partnerId);
  return { kind: 'reissued', submission, uploads: presignUploads(deps, submission, now, roles) };
}
