import { Logger } from 'graphile-worker';
import { isUnreachable } from '../storageErrors.ts';

/**
 * graphile-worker's logger, quiet: its info and debug lines are dropped, its warnings and errors
 * reach the store's log. A job whose handler threw is retried by design, and a database out of
 * reach is retried by graphile-worker itself (the store's readiness says so): both are warnings of
 * one line, not a stack trace for every reconnection attempt.
 */
export function graphileLogger(log: {
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}) {
  return new Logger(() => (level, message, meta) => {
    // Sized on purpose: a handler holds no connection while it runs (see workQueue), so a few
    // connections serve many job slots; nobody could act on this warning.
    if (message.includes('smaller than concurrency')) return;
    if (level === 'error' && (meta?.failure || isUnreachable(meta?.error)))
      log.warn(`work queue: ${message.split('\n')[0]}`);
    else if (level === 'error') log.error(`work queue: ${message}`, meta?.error);
    else if (level === 'warning') log.warn(`work queue: ${message}`);
  });
}
