import { parseWebhookSecret } from '../callbacks/webhookSecret.ts';
import type { CallbackDeliveryRecord } from '../domain/CallbackDelivery.ts';
import type { RedeliverAnswer } from '../store/SandboxStore.ts';
import type { FlowDeps } from './FlowDeps.ts';

export type RedeliverCallbackAnswer = RedeliverAnswer | { kind: 'no-secret'; record: CallbackDeliveryRecord };

/**
 * Sends a finished delivery again now, with the same webhook-id and body (the receiver must treat
 * it as the same event), on a fresh retry schedule; refused while its attempts are still under way.
 */
export async function redeliverCallback(
  deps: Pick<FlowDeps, 'store' | 'clocks' | 'webhookSecretFor'>,
  webhookId: string,
): Promise<RedeliverCallbackAnswer> {
  const record = await deps.store.deliveries.get(webhookId);
  if (!record) return { kind: 'not-found' };
  const secret = deps.webhookSecretFor(record.partnerId);
  if (secret === undefined || !parseWebhookSecret(secret).ok) return { kind: 'no-secret', record };
  return deps.store.deliveries.redeliver(webhookId, await deps.clocks.now(record.partnerId));
}
