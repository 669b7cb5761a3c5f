import { type BusinessClock, type ScheduledTask, systemClock } from '../time/Clock.ts';
import type { CallbackDeliveryRecord, CallbackLog, ForcedDelivery } from './CallbackLog.ts';
import { CANCELLED, type DeliveryAttempt, deliverCallback } from './deliverCallback.ts';
import { signWebhook } from './signWebhook.ts';
import { newWebhookId } from './webhookId.ts';
import { parseWebhookSecret } from './webhookSecret.ts';

/** Any Standard Webhooks style event; the completion event is one. */
export interface WebhookEvent {
  type: string;
  timestamp: string;
  data: unknown;
}

export interface CallbackDelivery {
  correlationId: string;
  partnerId: string;
  url: string;
  /** `whsec_…`; kept in memory only. */
  secret: string;
  event: WebhookEvent;
  /** What a scenario forces on this delivery (attempts counted as failed, repeats after success). */
  forced?: ForcedDelivery;
}

export interface CallbackDispatcherOptions {
  /** Delays in ms before each retry; attempts = 1 + retrySchedule.length. */
  retrySchedule: readonly number[];
  timeoutMs: number;
  log: CallbackLog;
  /** Finds a partner's secret again when resuming deliveries after a restart. */
  secretFor?: (partnerId: string) => string | undefined;
  /**
   * The partner's business clock: attempt times and the retry schedule read it, so advancing a
   * partner's test clock runs due retries at once. Signatures always carry wall-clock time, or
   * standard verifiers (5-minute tolerance) would reject them.
   */
  clockFor?: (partnerId: string) => BusinessClock;
  userAgent?: string;
  /** Told about failures of our own (e.g. the log cannot be written); never thrown. */
  warn?: (message: string) => void;
  /** Told about every finished attempt once it is recorded (metrics, admin events); not about attempts cut short by close(). */
  onAttempt?: (attempt: DeliveryAttempt, record: CallbackDeliveryRecord) => void;
}

export interface CallbackDispatcher {
  /** Records the delivery as pending and starts the first attempt without waiting for it. */
  dispatch(delivery: CallbackDelivery): Promise<CallbackDeliveryRecord>;
  deliveries(correlationId: string): Promise<CallbackDeliveryRecord[]>;
  /**
   * Sends a recorded delivery again now, with the same webhook-id and body (the receiver must
   * treat it as the same event), starting a fresh retry schedule. Refused while one is running.
   */
  redeliver(id: string): Promise<RedeliverAnswer>;
  /** Stops any attempt still scheduled for the submission and deletes its deliveries (resets). */
  forget(correlationId: string): Promise<void>;
  /** Picks up deliveries a previous process left pending; returns how many were resumed. */
  resumePending(): Promise<number>;
  /** Resolves once no attempt is running or scheduled. */
  idle(): Promise<void>;
  /**
   * For a graceful shutdown: attempts already on the wire finish and are
   * recorded (so none is sent twice after a restart), and first attempts of
   * deliveries dispatched from now on are still made; retries are not waited
   * for and stay pending in the log for `resumePending`. Resolves when no
   * attempt is running.
   */
  drain(): Promise<void>;
  /**
   * Cancels timers and in-flight attempts and stops new ones; unfinished
   * deliveries stay pending in the log for `resumePending` after a restart.
   */
  close(): Promise<void>;
}

export type RedeliverAnswer =
  | { kind: 'started'; record: CallbackDeliveryRecord }
  | { kind: 'not-found' }
  | { kind: 'in-progress'; record: CallbackDeliveryRecord }
  | { kind: 'no-secret'; record: CallbackDeliveryRecord };

interface Active {
  record: CallbackDeliveryRecord;
  secret: string;
  timer?: ScheduledTask;
  running?: Promise<void>;
}

const wallClockScheduler: BusinessClock = {
  now: () => systemClock.now(),
  at(due, run) {
    const timer = setTimeout(run, Math.max(0, due.getTime() - Date.now()));
    // A pending retry must not keep a test run or a stopping server alive; the
    // log keeps it pending for the next start instead.
    timer.unref();
    return { due, cancel: () => clearTimeout(timer) };
  },
};

export function createCallbackDispatcher(options: CallbackDispatcherOptions): CallbackDispatcher {
  const { retrySchedule, timeoutMs, log, secretFor, userAgent } = options;
  const clockFor = options.clockFor ?? (() => wallClockScheduler);
  const warn = options.warn ?? ((message: string) => console.warn(`callbacks: ${message}`));
  if (retrySchedule.some((ms) => !Number.isFinite(ms) || ms < 0)) {
    throw new Error(`retrySchedule must hold non-negative delays in ms, got [${retrySchedule.join(', ')}]`);
  }
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new Error(`timeoutMs must be positive, got ${timeoutMs}`);

  const active = new Map<string, Active>();
  const idleWaiters: Array<() => void> = [];
  const shutdown = new AbortController();
  let closed = false;
  let draining = false;

  function settle(id: string) {
    active.delete(id);
    if (active.size === 0) for (const resolve of idleWaiters.splice(0)) resolve();
  }

  async function save(record: CallbackDeliveryRecord): Promise<boolean> {
    try {
      await log.save(record);
      return true;
    } catch (err) {
      warn(`could not record delivery ${record.id} for ${record.correlationId}: ${(err as Error).message}`);
      return false;
    }
  }

  function schedule(entry: Active, due: Date) {
    // While draining, a retry is left to the next start rather than holding the exit up.
    const later = due.getTime() > clockFor(entry.record.partnerId).now().getTime();
    if (closed || (draining && later)) return settle(entry.record.id);
    // The returned promise lets an advancing test clock wait until the attempt is recorded.
    entry.timer = clockFor(entry.record.partnerId).at(due, () => {
      entry.timer = undefined;
      entry.running = attempt(entry).catch((err: unknown) => {
        // Nothing in an attempt is meant to throw; if something does, a stuck
        // pending entry would hang idle() forever, so report and let go.
        warn(`delivery ${entry.record.id} stopped unexpectedly: ${(err as Error).message}`);
        settle(entry.record.id);
      });
      return entry.running;
    });
  }

  async function attempt(entry: Active): Promise<void> {
    const { record } = entry;
    const clock = clockFor(record.partnerId);
    // Signed afresh every time: receivers reject old timestamps, while the id
    // stays fixed so they can tell a retry from a new event.
    const headers = signWebhook({
      secret: entry.secret,
      id: record.id,
      timestamp: Math.floor(systemClock.now().getTime() / 1000),
      body: record.body,
    });
    const sent = await deliverCallback({
      url: record.url,
      body: record.body,
      headers,
      timeoutMs,
      signal: shutdown.signal,
      now: () => clock.now(),
      ...(userAgent ? { userAgent } : {}),
    });
    // Our own shutdown is not the receiver's failure: leave the record as it was
    // so the attempt is made again after a restart.
    if (sent.error === CANCELLED) return settle(record.id);
    // Forgotten (a reset) while the attempt was on the wire: nothing is recorded or retried.
    if (active.get(record.id) !== entry) return;
    const result = applyForcedFailure(record, sent);

    const wasDelivered = record.state === 'delivered';
    record.attempts.push(result);
    delete record.nextAttemptAt;
    let repeat = false;
    if (wasDelivered) {
      // A forced duplicate: the delivery stays delivered whatever this repeat met.
      repeat = countDuplicates(record) < (record.forced?.duplicates ?? 0);
    } else if (result.ok) {
      record.state = 'delivered';
      repeat = (record.forced?.duplicates ?? 0) > 0;
    } else {
      const delay = retrySchedule[record.attempts.length - 1 - (record.retryBase ?? 0)];
      if (delay === undefined) {
        record.state = 'failed';
        record.failureReason = `gave up after ${record.attempts.length} attempts (retry schedule exhausted)`;
      } else {
        record.nextAttemptAt = new Date(clock.now().getTime() + delay).toISOString();
      }
    }
    await save(record);
    // After the save, so whoever is told (the admin event stream) finds the attempt when it looks.
    options.onAttempt?.(result, record);
    if (record.state === 'pending' && record.nextAttemptAt) {
      schedule(entry, new Date(record.nextAttemptAt));
    } else if (repeat) {
      schedule(entry, clock.now());
    } else {
      settle(record.id);
    }
  }

  function idle(): Promise<void> {
    if (active.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => idleWaiters.push(resolve));
  }

  /** Timers only: the records stay pending in the log, with their nextAttemptAt. */
  function cancelScheduled() {
    for (const entry of active.values()) {
      if (entry.timer) {
        entry.timer.cancel();
        entry.timer = undefined;
        settle(entry.record.id);
      }
    }
  }

  function start(record: CallbackDeliveryRecord, secret: string, due: Date) {
    const entry: Active = { record, secret };
    active.set(record.id, entry);
    schedule(entry, due);
  }

  async function fail(record: CallbackDeliveryRecord, reason: string) {
    record.state = 'failed';
    record.failureReason = reason;
    delete record.nextAttemptAt;
    await save(record);
  }

  return {
    async dispatch({ correlationId, partnerId, url, secret, event, forced }) {
      const record: CallbackDeliveryRecord = {
        id: newWebhookId(),
        correlationId,
        partnerId,
        url,
        // Serialised once, so every retry sends byte-identical bodies.
        body: JSON.stringify(event),
        state: 'pending',
        createdAt: clockFor(partnerId).now().toISOString(),
        attempts: [],
        ...(forced ? { forced } : {}),
      };
      const parsed = parseWebhookSecret(secret);
      if (!parsed.ok) {
        await fail(record, parsed.message);
        return structuredClone(record);
      }
      await save(record);
      const snapshot = structuredClone(record);
      // After close the record stays pending in the log, for the next process.
      if (!closed) start(record, secret, clockFor(partnerId).now());
      return snapshot;
    },

    deliveries(correlationId) {
      return log.byCorrelationId(correlationId);
    },

    async redeliver(id) {
      const record = await log.get(id);
      if (!record) return { kind: 'not-found' };
      if (active.has(id)) return { kind: 'in-progress', record: structuredClone(record) };
      const secret = secretFor?.(record.partnerId);
      if (secret === undefined || !parseWebhookSecret(secret).ok) {
        return { kind: 'no-secret', record: structuredClone(record) };
      }
      // Attempts so far stay in the history; the retry schedule counts from this attempt.
      record.state = 'pending';
      record.retryBase = record.attempts.length;
      delete record.failureReason;
      delete record.nextAttemptAt;
      delete record.forced;
      await save(record);
      if (!closed) start(record, secret, clockFor(record.partnerId).now());
      return { kind: 'started', record: structuredClone(record) };
    },

    async forget(correlationId) {
      for (const entry of [...active.values()]) {
        if (entry.record.correlationId !== correlationId) continue;
        entry.timer?.cancel();
        entry.timer = undefined;
        // An attempt already on the wire finishes, but its record is deleted below and not revived.
        entry.record.state = 'failed';
        settle(entry.record.id);
      }
      await log.deleteByCorrelationId(correlationId);
    },

    async resumePending() {
      if (closed) return 0;
      let resumed = 0;
      for (const record of await log.pending()) {
        if (active.has(record.id)) continue;
        const secret = secretFor?.(record.partnerId);
        const parsed = secret === undefined ? undefined : parseWebhookSecret(secret);
        if (secret === undefined || !parsed?.ok) {
          const why = parsed && !parsed.ok ? parsed.message : 'none is configured';
          await fail(
            record,
            `cannot re-sign after restart: no usable webhook secret for partner ${record.partnerId} (${why})`,
          );
          continue;
        }
        const now = clockFor(record.partnerId).now();
        const due = record.nextAttemptAt ? new Date(record.nextAttemptAt) : now;
        start(record, secret, Number.isFinite(due.getTime()) ? due : now);
        resumed++;
      }
      return resumed;
    },

    idle,

    drain() {
      draining = true;
      cancelScheduled();
      return idle();
    },

    async close() {
      closed = true;
      cancelScheduled();
      shutdown.abort();
      await Promise.all([...active.values()].map((entry) => entry.running));
    },
  };
}

/**
 * A scenario's `failAttempts`: the attempt really reached the receiver (so its
 * deduplication and retries are exercised) but is recorded as failed.
 */
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

function countDuplicates(record: CallbackDeliveryRecord): number {
  const firstDelivered = record.attempts.findIndex((a) => a.ok);
  return firstDelivered === -1 ? 0 : record.attempts.length - 1 - firstDelivered;
}
