import { completionEvent } from '../callbacks/completionEvent.ts';
import { type CallbackDeliveryRecord, openDelivery } from '../domain/CallbackDelivery.ts';
import type { Submission } from '../domain/Submission.ts';
import type { FlowDeps } from './FlowDeps.ts';

/**
 * The completion callback a finished submission gets, born with its finish: to the submission's
 * callbackUrl, else the partner's default, else none; as its scenario says (none, failing
 * attempts, duplicates). Its id is the `webhook-id` of every attempt, and the body is serialised
 * once here, so every retry sends the same bytes.
 */
export function completionDelivery(
  deps: Pick<FlowDeps, 'defaultCallbackUrl' | 'scenarioOf' | 'webhookSecretFor' | 'newWebhookId'>,
  finished: Submission,
): CallbackDeliveryRecord | null {
  const url = finished.callbackUrl ?? deps.defaultCallbackUrl(finished.partnerId);
  if (!url || deps.webhookSecretFor(finished.partnerId) === undefined) return null;
  const behaviour = deps.scenarioOf(finished)?.callback;
  if (behaviour?.deliver === false) return null;
  const at = new Date(finished.completedAt ?? finished.updatedAt);
  const forced = {
    ...(behaviour?.failAttempts !== undefined ? { failAttempts: behaviour.failAttempts } : {}),
    ...(behaviour?.duplicates ? { duplicates: behaviour.duplicates } : {}),
  };
  return openDelivery({
    id: deps.newWebhookId(),
    correlationId: finished.correlationId,
    partnerId: finished.partnerId,
    url,
    body: JSON.stringify(completionEvent({ ...finished, at })),
    at,
    ...(Object.keys(forced).length > 0 ? { forced } : {}),
  });
}
