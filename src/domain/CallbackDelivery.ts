/**
 * The completion callback of one submission as the sandbox remembers it: one record per
 * submission, whose `id` is the `webhook-id` of every attempt, first to last, redeliveries too.
 * Every change is a pure function from one record to the next; a store writes it in one step.
 */
export type DeliveryState = 'pending' | 'delivered' | 'failed';

/** One HTTP attempt as a partner's receiver saw it (or failed to). */
export interface DeliveryAttempt {
  /** When the attempt started, ISO 8601, on the partner's business clock. */
  at: string;
  durationMs: number;
  /** Present whenever the receiver answered, including non-2xx answers. */
  statusCode?: number;
  /** Why the attempt did not succeed, in words a partner can act on. */
  error?: string;
  ok: boolean;
  /** The headers sent, signature included (it is not a secret: it covers only this body). Absent on older records. */
  requestHeaders?: Record<string, string>;
  /** The start of the receiver's answer body, when it answered. */
  responseBodyExcerpt?: string;
  /** True when the answer body was longer than the excerpt, or did not finish within the timeout. */
  responseBodyTruncated?: boolean;
}

export interface ForcedDelivery {
  /** Count the first N attempts (or all) as failed whatever the receiver answers. */
  failAttempts?: 'all' | number;
  /** After success, deliver the same webhook-id this many more times. */
  duplicates?: number;
}

export interface CallbackDeliveryRecord {
  /** The `webhook-id`, `msg_…`; the same on every attempt so receivers can deduplicate. */
  id: string;
  correlationId: string;
  partnerId: string;
  url: string;
  /** The exact JSON body sent on every attempt (signatures cover these bytes). */
  body: string;
  state: DeliveryState;
  createdAt: string;
  attempts: DeliveryAttempt[];
  /**
   * When the next attempt is due (business time): while pending, and on a delivered one while a
   * scenario's forced repeats are still to come. Absent once no attempt is to come.
   */
  nextAttemptAt?: string;
  /** Why a failed delivery was given up. */
  failureReason?: string;
  /** Attempts made before the last redelivery; the retry schedule counts from there. */
  retryBase?: number;
  /** What a scenario forces on this delivery; kept so whoever makes the next attempt honours it. */
  forced?: ForcedDelivery;
  /**
   * Bumped by the store on every write: an attempt is recorded only if nothing else was recorded
   * since it started (compare-and-set), so two workers racing one attempt record it once.
   */
  revision: number;
}

export function openDelivery(p: {
  id: string;
  correlationId: string;
  partnerId: string;
  url: string;
  body: string;
  at: Date;
  forced?: ForcedDelivery;
}): CallbackDeliveryRecord {
  const at = p.at.toISOString();
  return {
    id: p.id,
    correlationId: p.correlationId,
    partnerId: p.partnerId,
    url: p.url,
    body: p.body,
    state: 'pending',
    createdAt: at,
    attempts: [],
    // The first attempt is due at once.
    nextAttemptAt: at,
    ...(p.forced ? { forced: p.forced } : {}),
    revision: 0,
  };
}

/**
 * The record after one attempt: delivered on a 2xx (then any forced repeats, at once), else the
 * next retry of `retrySchedule` (delays in ms, counted from the last redelivery), else failed.
 */
export function afterAttempt(
  record: CallbackDeliveryRecord,
  sent: DeliveryAttempt,
  retrySchedule: readonly number[],
  now: Date,
): CallbackDeliveryRecord {
  const attempt = applyForcedFailure(record, sent);
  const next: CallbackDeliveryRecord = { ...record, attempts: [...record.attempts, attempt] };
  delete next.nextAttemptAt;
  if (record.state === 'delivered') {
    // A forced repeat: the delivery stays delivered whatever this repeat met.
    if (countRepeats(next) < (next.forced?.duplicates ?? 0)) next.nextAttemptAt = now.toISOString();
    return next;
  }
  if (attempt.ok) {
    next.state = 'delivered';
    if ((next.forced?.duplicates ?? 0) > 0) next.nextAttemptAt = now.toISOString();
    return next;
  }
  const delay = retrySchedule[next.attempts.length - 1 - (next.retryBase ?? 0)];
  if (delay === undefined) {
    next.state = 'failed';
    next.failureReason = `gave up after ${next.attempts.length} attempts (retry schedule exhausted)`;
  } else {
    next.nextAttemptAt = new Date(now.getTime() + delay).toISOString();
  }
  return next;
}

/**
 * The record after an attempt the callback policy refused before connecting: no retry, since the
 * same policy would refuse it again (a redelivery tries once the policy or the name changed). A
 * forced repeat of a delivered callback refused so ends the repeats; the delivery stays delivered.
 */
export function refuseAttempt(
  record: CallbackDeliveryRecord,
  refused: DeliveryAttempt,
): CallbackDeliveryRecord {
  const next: CallbackDeliveryRecord = { ...record, attempts: [...record.attempts, refused] };
  delete next.nextAttemptAt;
  if (record.state === 'delivered') return next;
  next.state = 'failed';
  next.failureReason = `not retried: ${refused.error ?? 'refused by the callback policy'}`;
  return next;
}

/** Given up without an attempt (no usable secret to sign with). */
export function failDelivery(record: CallbackDeliveryRecord, reason: string): CallbackDeliveryRecord {
  const next: CallbackDeliveryRecord = { ...record, state: 'failed', failureReason: reason };
  delete next.nextAttemptAt;
  return next;
}

/**
 * Sends a finished delivery again, same webhook-id and body, on a fresh retry schedule; the
 * attempts so far stay in its history. Undefined while attempts are still to come.
 */
export function reopenDelivery(
  record: CallbackDeliveryRecord,
  now: Date,
): CallbackDeliveryRecord | undefined {
  if (record.state === 'pending' || record.nextAttemptAt !== undefined) return undefined;
  const next: CallbackDeliveryRecord = {
    ...record,
    state: 'pending',
    retryBase: record.attempts.length,
    nextAttemptAt: now.toISOString(),
  };
  delete next.failureReason;
  delete next.forced;
  return next;
}

function applyForcedFailure(record: CallbackDeliveryRecord, sent: DeliveryAttempt): DeliveryAttempt {
  const failAttempts = record.forced?.failAttempts;
  if (!sent.ok || failAttempts === undefined || record.state === 'delivered') return sent;
  if (failAttempts !== 'all' && record.attempts.length >= failAttempts) return sent;
  const answered =
    sent.statusCode === undefined ? 'the receiver answered' : `the receiver answered ${sent.statusCode}`;
  return {
    ...sent,
    ok: false,
    error: `counted as failed by the scenario (${answered}); the next attempt follows the retry schedule`,
  };
}

function countRepeats(record: CallbackDeliveryRecord): number {
  const firstDelivered = record.attempts.findIndex((a) => a.ok);
  return firstDelivered === -1 ? 0 : record.attempts.length - 1 - firstDelivered;
}

export function byCreation(a: CallbackDeliveryRecord, b: CallbackDeliveryRecord): number {
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1;
}
