import { performance } from 'node:perf_hooks';
import type { CallbackTarget } from '../callbacks/checkCallbackTarget.ts';
import { CANCELLED, deliverCallback } from '../callbacks/deliverCallback.ts';
import { signWebhook } from '../callbacks/signWebhook.ts';
import { parseWebhookSecret } from '../callbacks/webhookSecret.ts';
import {
  afterAttempt,
  type DeliveryAttempt,
  failDelivery,
  refuseAttempt,
} from '../domain/CallbackDelivery.ts';
import type { FlowDeps } from './FlowDeps.ts';

/**
 * The callback job: the next attempt of a pending delivery that is due, signed afresh (receivers
 * reject old timestamps) under the same webhook-id, and recorded with the next step of its retry
 * schedule. Recorded only if nothing was recorded since it started: two workers that raced one
 * attempt (after a take-over) record it once, and the receiver sees one webhook-id either way.
 */
export async function attemptDelivery(
  deps: Pick<FlowDeps, 'store' | 'clocks' | 'webhookSecretFor' | 'callbacks'>,
  webhookId: string,
  shutdown: AbortSignal,
  onAttempt: (attempt: DeliveryAttempt) => void = () => {},
): Promise<void> {
  const record = await deps.store.deliveries.get(webhookId);
  if (!record?.nextAttemptAt || shutdown.aborted) return;
  const startedAt = await deps.clocks.now(record.partnerId);
  if (Date.parse(record.nextAttemptAt) > startedAt.getTime()) return;

  const secret = deps.webhookSecretFor(record.partnerId);
  const parsed = secret === undefined ? undefined : parseWebhookSecret(secret);
  if (secret === undefined || !parsed?.ok) {
    const why = parsed && !parsed.ok ? parsed.message : 'the partner no longer exists';
    const reason = `cannot sign: no usable webhook secret for partner ${record.partnerId} (${why})`;
    await deps.store.deliveries.compareAndSet(failDelivery(record, reason), record.revision);
    return;
  }
  // Checked at every attempt, not only when the URL was accepted: a name's addresses can change.
  const checkStarted = performance.now();
  const target = await deliverTo(deps, record.url);
  const unsent = (error: string): DeliveryAttempt => ({
    at: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - checkStarted),
    ok: false,
    error,
  });
  if (target.kind === 'refused') {
    const refused = unsent(`refused by the callback policy, no connection made: ${target.reason}`);
    if (await deps.store.deliveries.compareAndSet(refuseAttempt(record, refused), record.revision)) {
      onAttempt(refused);
    }
    return;
  }
  const sent =
    // A name that did not resolve is a network failure like any other: retried on the schedule.
    target.kind === 'unresolved'
      ? unsent(target.error)
      : await deliverCallback({
          url: record.url,
          body: record.body,
          // Signatures always carry wall-clock time, or standard verifiers (5-minute tolerance) would reject them.
          headers: signWebhook({
            secret,
            id: record.id,
            timestamp: Math.floor(Date.now() / 1000),
            body: record.body,
          }),
          timeoutMs: deps.callbacks.timeoutMs,
          signal: shutdown,
          now: () => startedAt,
          ...(target.kind === 'allowed' ? { connectTo: target.addresses } : {}),
          ...(deps.callbacks.userAgent ? { userAgent: deps.callbacks.userAgent } : {}),
        });
  // Our own shutdown is not the receiver's failure: the attempt is made again, here after a restart or elsewhere.
  if (sent.error === CANCELLED) return;
  const next = afterAttempt(
    record,
    sent,
    deps.callbacks.retryScheduleMs,
    await deps.clocks.now(record.partnerId),
  );
  if (await deps.store.deliveries.compareAndSet(next, record.revision)) {
    onAttempt(next.attempts[next.attempts.length - 1] as DeliveryAttempt);
  }
}

/**
 * The policy's answer for a URL. One that is not an http(s) URL connects nowhere: deliverCallback
 * records why without connecting.
 */
async function deliverTo(
  deps: Pick<FlowDeps, 'callbacks'>,
  url: string,
): Promise<CallbackTarget | { kind: 'not-http' }> {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (parsed?.protocol !== 'http:' && parsed?.protocol !== 'https:') return { kind: 'not-http' };
  return deps.callbacks.checkTarget(parsed);
}
