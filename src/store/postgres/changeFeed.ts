import pg from 'pg';
import type { ChangeFeed, StateChange } from '../SandboxStore.ts';
import type { QueryCounter } from './database.ts';

/** The NOTIFY channel every step that changes something publishes on (facematch.publish_change). */
export const CHANGE_CHANNEL = 'facematch_changes';

export interface PostgresChangeFeed extends ChangeFeed {
  /**
   * Tells this instance's subscribers of a change it committed, at once; the other instances hear
   * of it through the NOTIFY the step sent, which this instance's listener skips (same origin).
   */
  emit(change: StateChange): void;
  /** Resolves once the first LISTEN is in place (or has failed: it is then retried in the background). */
  ready: Promise<void>;
  close(): Promise<void>;
}

const FIRST_RETRY_MS = 100;
const LAST_RETRY_MS = 5_000;

/**
 * One LISTEN connection per store instance, fanned out to its local subscribers. It is a client
 * of its own (a pooled one would be handed to queries), and it reconnects by itself, backing off,
 * when the database goes away; what changed meanwhile is not announced (a dashboard re-fetches
 * when it sees the next change), and the loss is logged once per outage.
 */
export function createChangeFeed(deps: {
  clientConfig: pg.ClientConfig;
  /** This instance, as facematch.publish_change's origin. */
  origin: string;
  counter: QueryCounter;
  log: { warn(message: string): void };
}): PostgresChangeFeed {
  const listeners = new Set<(change: StateChange) => void>();
  let closed = false;
  let client: pg.Client | undefined;
  let wake: (() => void) | undefined;
  let firstAttempt: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    firstAttempt = resolve;
  });

  const fanOut = (change: StateChange) => {
    for (const listener of [...listeners]) {
      try {
        listener(change);
      } catch {
        // One subscriber's failure must not keep the change from the others.
      }
    }
  };

  const onNotification = (message: pg.Notification) => {
    if (message.channel !== CHANGE_CHANNEL || !message.payload) return;
    let parsed: { origin?: unknown; change?: StateChange };
    try {
      parsed = JSON.parse(message.payload);
    } catch {
      return;
    }
    if (parsed.origin === deps.origin || !parsed.change) return;
    fanOut(parsed.change);
  };

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref();
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  async function listen(): Promise<void> {
    let retryMs = FIRST_RETRY_MS;
    let outage = false;
    while (!closed) {
      const next = new pg.Client(deps.clientConfig);
      const ended = new Promise<unknown>((resolve) => {
        next.once('end', () => resolve(new Error('the connection ended')));
        next.on('error', (error) => resolve(error));
      });
      next.on('notification', onNotification);
      try {
        await next.connect();
        deps.counter.count += 1;
        await next.query(`LISTEN ${CHANGE_CHANNEL}`);
        client = next;
        outage = false;
        retryMs = FIRST_RETRY_MS;
        firstAttempt();
        const reason = closed
          ? null
          : await Promise.race([ended, new Promise((resolve) => (wake = () => resolve(null)))]);
        client = undefined;
        if (closed) {
          await next.end().catch(() => undefined);
          break;
        }
        if (!outage) {
          outage = true;
          deps.log.warn(
            `change feed: lost its PostgreSQL connection (${describe(reason)}); reconnecting in the background, changes made meanwhile are not announced`,
          );
        }
      } catch (error) {
        firstAttempt();
        if (!outage && !closed) {
          outage = true;
          deps.log.warn(
            `change feed: cannot LISTEN on PostgreSQL (${describe(error)}); retrying in the background, changes made meanwhile are not announced`,
          );
        }
      }
      await next.end().catch(() => undefined);
      if (closed) break;
      await pause(retryMs);
      retryMs = Math.min(retryMs * 2, LAST_RETRY_MS);
    }
  }

  const running = listen();

  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    emit: fanOut,
    ready,
    async close() {
      closed = true;
      firstAttempt();
      listeners.clear();
      wake?.();
      await client?.end().catch(() => undefined);
      await running;
    },
  };
}

function describe(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}
