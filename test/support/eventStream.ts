export interface StreamMessage {
  id: string | undefined;
  event: string | undefined;
  /** The data lines joined, parsed as JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever the admin document allows
  data: any;
}

/**
 * Reads a server-sent event stream over fetch, as the dashboard does (EventSource cannot send an
 * Authorization header): messages and comment lines as they arrive, every wait bounded.
 */
export async function openEventStream(url: string, headers: Record<string, string> = {}) {
  const stop = new AbortController();
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: AbortSignal.any([stop.signal, AbortSignal.timeout(60_000)]),
  });
  const messages: StreamMessage[] = [];
  const comments: string[] = [];
  let ended = false;
  const reading = (async () => {
    if (!response.body || response.status !== 200) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let blank = buffer.indexOf('\n\n');
        while (blank !== -1) {
          parseBlock(buffer.slice(0, blank), messages, comments);
          buffer = buffer.slice(blank + 2);
          blank = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // Aborted by close(): what arrived is kept.
    }
    ended = true;
  })();
  return {
    response,
    messages,
    comments,
    get ended() {
      return ended;
    },
    /** Resolves once a message matching `match` has arrived; fails after timeoutMs. */
    async next(match: (message: StreamMessage) => boolean, what: string, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find(match);
        if (found) return found;
        if (ended) throw new Error(`the stream ended before ${what}`);
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    /** Resolves when the server ends the stream; fails after timeoutMs. */
    async whenEnded(timeoutMs = 10_000) {
      const timedOut = new Promise<never>((_, reject) =>
        setTimeout(
          () => reject(new Error(`the stream was still open after ${timeoutMs} ms`)),
          timeoutMs,
        ).unref(),
      );
      await Promise.race([reading, timedOut]);
    },
    async close() {
      stop.abort();
      await reading;
    },
  };
}

function parseBlock(block: string, messages: StreamMessage[], comments: string[]) {
  const fields: Record<string, string[]> = {};
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) {
      comments.push(line.slice(1).trim());
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    fields[name] = [...(fields[name] ?? []), value];
  }
  if (!fields.data) return;
  messages.push({
    id: fields.id?.at(-1),
    event: fields.event?.at(-1),
    data: JSON.parse(fields.data.join('\n')),
  });
}
