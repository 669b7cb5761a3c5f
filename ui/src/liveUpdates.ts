import { authHeaders, onSessionChange } from './adminApi.ts';

const POLL_MS = 1500;
const listeners = new Set<() => void>();
let started = false;
/** Aborted when the page signs in as someone else: the stream and the polling wait end at once. */
let session = new AbortController();

/**
 * Calls `listener` whenever the server's state may have changed: on every event of the admin
 * event stream (`GET /__admin/events`, server-sent events) where the server has one, otherwise
 * every 1.5 s. A fetch reads the stream, not EventSource, because EventSource cannot send the
 * admin token.
 */
export function onServerChange(listener: () => void): () => void {
  listeners.add(listener);
  if (!started) {
    started = true;
    // Signed in as someone else: the open stream carries the old caller's changes, so start anew.
    onSessionChange(() => session.abort());
    void follow();
  }
  return () => listeners.delete(listener);
}

const COALESCE_MS = 250;
let pending: ReturnType<typeof setTimeout> | undefined;

/** A burst of changes (a load test, a retry schedule run by a clock advance) costs one re-fetch. */
function notify(): void {
  if (pending !== undefined) return;
  pending = setTimeout(() => {
    pending = undefined;
    for (const listener of listeners) listener();
  }, COALESCE_MS);
}

async function follow(): Promise<void> {
  while (true) {
    if (session.signal.aborted) session = new AbortController();
    const { signal } = session;
    const streamed = await readEventStream(signal).catch(() => false);
    if (signal.aborted) continue;
    if (streamed) {
      // The server ended the stream (a restart drains it): catch up on what the gap hid, then reconnect.
      notify();
      await sleep(1000, signal);
    } else {
      // No stream on this server (or it broke): poll, and look for the stream again now and then.
      for (let i = 0; i < 20 && !signal.aborted; i++) {
        await sleep(POLL_MS, signal);
        if (!document.hidden) notify();
      }
    }
  }
}

/** Reads the stream until it ends; false when the server has none. */
async function readEventStream(signal: AbortSignal): Promise<boolean> {
  const response = await fetch('/__admin/events', {
    headers: { accept: 'text/event-stream', ...authHeaders() },
    signal,
  });
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok || !type.startsWith('text/event-stream') || !response.body) {
    await response.body?.cancel();
    return false;
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  while (true) {
    const { value, done } = await reader.read();
    if (done) return true;
    buffered += value;
    // An event ends with a blank line; comments (`:` keep-alives) carry no change.
    let end = buffered.indexOf('\n\n');
    while (end !== -1) {
      const event = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      if (event.split('\n').some((line) => line.startsWith('data:'))) notify();
      end = buffered.indexOf('\n\n');
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
