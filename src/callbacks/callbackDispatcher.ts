import type { CallbackDeliveryRecord, CallbackLog } from './CallbackLog.ts';
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
}

export interface CallbackDispatcherOptions {
  /** Delays in ms before each retry; attempts = 1 + retrySchedule.length. */
  retrySchedule: readonly number[];
  timeoutMs: number;
  log: CallbackLog;
  /** Finds a partner's secret again when resuming deliveries after a restart. */
  secretFor?: (partnerId: string) => string | undefined;
  now?: () => Date;
  userAgent?: string;
  /** Told about failures of our own (e.g. the log cannot be written); never thrown. */
  warn?: (message: string) => void;
  /** Told about every finished attempt (for metrics); not about attempts cut short by close(). */
  onAttempt?: (attempt: DeliveryAttempt, record: CallbackDeliveryRecord) => void;
}

export interface CallbackDispatcher {
  /** Records the delivery as pending and starts the first attempt without waiting for it. */
  dispatch(delivery: CallbackDelivery): Promise<CallbackDeliveryRecord>;
  deliveries(correlationId: string): Promise<CallbackDeliveryRecord[]>;
  /** Picks up deliveries a previous process left pending; returns how many were resumed. */
  resumePending(): Promise<number>;
  /** Resolves once no attempt is running or scheduled. */
  idle(): Promise<void>;
  /**
   * Cancels timers and in-flight attempts and stops new ones; unfinished
   * deliveries stay pending in the log for `resumePending` after a restart.
   */
  close(): Promise<void>;
}

interface Active {
  record: CallbackDeliveryRecord;
  secret: string;
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
}

export function createCallbackDispatcher(options: CallbackDispatcherOptions): CallbackDispatcher {
  const { retrySchedule, timeoutMs, log, secretFor, userAgent } = options;
  const now = options.now ?? (() => new Date());
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

  function schedule(entry: Active, delayMs: number) {
    if (closed) return settle(entry.record.id);
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      entry.running = attempt(entry).catch((err: unknown) => {
        // Nothing in an attempt is meant to throw; if something does, a stuck
        // pending entry would hang idle() forever, so report and let go.
        warn(`delivery ${entry.record.id} stopped unexpectedly: ${(err as Error).message}`);
        settle(entry.record.id);
      });
    }, delayMs);
    // A pending retry must not keep a test run or a stopping server alive; the
    // log keeps it pending for the next start instead.
    entry.timer.unref();
  }

  async function attempt(entry: Active): Promise<void> {
    const { record } = entry;
    // Signed afresh every time: receivers reject old timestamps, while the id
    // stays fixed so they can tell a retry from a new event.
    const headers = signWebhook({
      secret: entry.secret,
      id: record.id,
      timestamp: Math.floor(now().getTime() / 1000),
      body: record.body,
    });
    const result = await deliverCallback({
      url: record.url,
      body: record.body,
      headers,
      timeoutMs,
      signal: shutdown.signal,
      now,
      ...(userAgent ? { userAgent } : {}),
    });
    // Our own shutdown is not the receiver's failure: leave the record as it was
    // so the attempt is made again after a restart.
    if (result.error === CANCELLED) return settle(record.id);

    record.attempts.push(result);
    options.onAttempt?.(result, record);
    delete record.nextAttemptAt;
    if (result.ok) {
      record.state = 'delivered';
    } else {
      const delay = retrySchedule[record.attempts.length - 1];
      if (delay === undefined) {
        record.state = 'failed';
        record.failureReason = `gave up after ${record.attempts.length} attempts (retry schedule exhausted)`;
      } else {
        record.nextAttemptAt = new Date(now().getTime() + delay).toISOString();
      }
    }
    await save(record);
    if (record.state === 'pending' && record.nextAttemptAt) {
      schedule(entry, Math.max(0, Date.parse(record.nextAttemptAt) - now().getTime()));
    } else {
      settle(record.id);
    }
  }

  function start(record: CallbackDeliveryRecord, secret: string, delayMs: number) {
    const entry: Active = { record, secret };
    active.set(record.id, entry);
    schedule(entry, delayMs);
  }

  async function fail(record: CallbackDeliveryRecord, reason: string) {
    record.state = 'failed';
    record.failureReason = reason;
    delete record.nextAttemptAt;
    await save(record);
  }

  return {
    async dispatch({ correlationId, partnerId, url, secret, event }) {
      const record: CallbackDeliveryRecord = {
        id: newWebhookId(),
        correlationId,
        partnerId,
        url,
        // Serialised once, so every retry sends byte-identical bodies.
        body: JSON.stringify(event),
        state: 'pending',
        createdAt: now().toISOString(),
        attempts: [],
      };
      const parsed = parseWebhookSecret(secret);
      if (!parsed.ok) {
        await fail(record, parsed.message);
        return structuredClone(record);
      }
      await save(record);
      const snapshot = structuredClone(record);
      // After close the record stays pending in the log, for the next process.
      if (!closed) start(record, secret, 0);
      return snapshot;
    },

    deliveries(correlationId) {
      return log.byCorrelationId(correlationId);
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
        const due = record.nextAttemptAt ? Date.parse(record.nextAttemptAt) - now().getTime() : 0;
        start(record, secret, Number.isFinite(due) ? Math.max(0, due) : 0);
        resumed++;
      }
      return resumed;
    },

    idle() {
      if (active.size === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },

    async close() {
      closed = true;
      for (const entry of active.values()) {
        if (entry.timer) {
          clearTimeout(entry.timer);
          entry.timer = undefined;
          settle(entry.record.id);
        }
      }
      shutdown.abort();
      await Promise.all([...active.values()].map((entry) => entry.running));
    },
  };
}
