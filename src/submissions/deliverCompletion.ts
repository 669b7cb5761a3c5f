import type { Submission } from '../domain/Submission.ts';
import type { FlowDeps } from './FlowDeps.ts';

/**
 * The completion-callback rules: to the submission's callbackUrl, else the
 * partner's default, else nowhere; at most one delivery (one webhook-id) per
 * submission, even when a restart repeats the hand-over; and as the
 * submission's scenario says (none, failing attempts, duplicates).
 */
export async function deliverCompletion(deps: FlowDeps, submission: Submission): Promise<void> {
  const url = submission.callbackUrl ?? deps.defaultCallbackUrl(submission.partnerId);
  if (!url) return;
  const behaviour = deps.scenarioOf(submission)?.callback;
  if (behaviour?.deliver === false) return;
  if ((await deps.callbacks.deliveryCount(submission.correlationId)) > 0) return;
  await deps.callbacks.dispatch({
    submission,
    url,
    ...(behaviour?.failAttempts !== undefined ? { failAttempts: behaviour.failAttempts } : {}),
    ...(behaviour?.duplicates ? { duplicates: behaviour.duplicates } : {}),
  });
}
