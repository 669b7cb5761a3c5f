import { visibleTo } from '../domain/partnerAccess.ts';
import type { ConfirmAnswer } from '../store/SandboxStore.ts';
import type { FlowDeps } from './FlowDeps.ts';
import { processingDueAt } from './processingDueAt.ts';

/**
 * "Confirm Upload": both images in the bucket, then PROCESSING with scoring scheduled, in one step
 * of the store, so an upload racing the confirm is either the image scored or refused.
 */
export async function confirmSubmission(
  deps: FlowDeps,
  partnerId: string,
  correlationId: string,
): Promise<ConfirmAnswer> {
  const submission = visibleTo(await deps.store.submissions.get(correlationId), partnerId);
  if (!submission) return { kind: 'not-found' };
  const at = await deps.clocks.now(partnerId);
  return deps.store.submissions.confirm(correlationId, partnerId, at, processingDueAt(deps, submission, at));
}
