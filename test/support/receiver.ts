import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedCallback {
  path: string;
  method: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
}

/** What the receiver does with the n-th request (0-based): answer a status, or never answer. */
export type Reply =
  | number
  | { status: number; headers?: Record<string, string>; delayMs?: number; body?: string }
  | 'hang';

/**
 * A real partner-side receiver on 127.0.0.1: the dispatcher is exercised over
 * actual sockets, and what it records is compared with what arrived.
 */
export async function startReceiver(reply: (n: number, received: ReceivedCallback) => Reply) {
  const requests: ReceivedCallback[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const hanging: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received = {
        path: req.url ?? '',
        method: req.method ?? '',
        headers: req.headers,
        rawBody: Buffer.concat(chunks).toString('utf8'),
      };
      const answer = reply(requests.length, received);
      requests.push(received);
      for (const w of waiters.filter((w) => requests.length >= w.count)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
      if (answer === 'hang') {
        hanging.push(res);
        return;
      }
      const { status, headers, delayMs, body } =
        typeof answer === 'number' ? { status: answer, body: undefined } : answer;
      // A slow receiver: the attempt stays on the wire for delayMs.
      setTimeout(() => res.writeHead(status, headers ?? {}).end(body), delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/callbacks`,
    requests,
    waitForRequests(count: number) {
      if (requests.length >= count) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push({ count, resolve }));
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A URL on which nothing listens: bind a port, then release it. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/callbacks`;
}

export function webhookHeadersOf(received: ReceivedCallback): Record<string, string> {
  const pick = (name: string) => {
    const value = received.headers[name];
    return Array.isArray(value) ? value.join(', ') : (value ?? '');
  };
  return {
    'webhook-id': pick('webhook-id'),
    'webhook-timestamp': pick('webhook-timestamp'),
    'webhook-signature': pick('webhook-signature'),
  };
}
