import type { components } from '../generated/admin.ts';

export type AdminEvent = components['schemas']['AdminEvent'];

export interface AdminEventListener {
  /** One change, with its sequence number (the stream's `id:`). */
  event(event: AdminEvent, id: number): void;
  /** The hub is closing (a shutdown): end the stream. */
  end(): void;
}

/**
 * Change notifications for the admin API's live stream: who changed, never what (a dashboard
 * re-fetches). Publishing costs nothing without listeners, so every request can publish.
 */
export interface AdminEvents {
  publish(event: AdminEvent): void;
  /** Returns the unsubscribe function. After close(), a new listener is ended at once. */
  subscribe(listener: AdminEventListener): () => void;
  /** Ends every open stream, so a drain is never held up by a dashboard left open. */
  close(): void;
  /** How often an open stream gets a heartbeat comment. */
  readonly heartbeatMs: number;
}

/** Proxies commonly drop connections idle for 30–60 s; 15 s keeps a quiet stream well inside that. */
export const DEFAULT_HEARTBEAT_MS = 15_000;

export function createAdminEvents(options: { heartbeatMs?: number } = {}): AdminEvents {
  const listeners = new Set<AdminEventListener>();
  let sequence = 0;
  let closed = false;
  return {
    heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
    publish(event) {
      if (listeners.size === 0) return;
      sequence += 1;
      for (const listener of [...listeners]) listener.event(event, sequence);
    },
    subscribe(listener) {
      if (closed) {
        listener.end();
        return () => {};
      }
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      closed = true;
      for (const listener of [...listeners]) listener.end();
      listeners.clear();
    },
  };
}
