import { Logger } from 'graphile-worker';

/**
 * graphile-worker's logger, quiet: its info and debug lines are dropped, its warnings and errors
 * reach the store's log. A job whose handler threw is retried by design, so that is a warning.
 */
export function graphileLogger(log: {
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}) {
  return new Logger(() => (level, message, meta) => {
    if (level === 'error' && meta?.failure) log.warn(`work queue: ${message.split('\n')[0]}`);
    else if (level === 'error') log.error(`work queue: ${message}`, meta?.error);
    else if (level === 'warning') log.warn(`work queue: ${message}`);
  });
}
