import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface CallbackArrival {
  /** Date.now() when the body had fully arrived. */
  at: number;
  webhookId: string;
  status: string;
}

export interface CallbackReceiver {
  urlFor(clientId: string): string;
  /** Verified deliveries per correlationId, in arrival order. */
  arrivals: Map<string, CallbackArrival[]>;
  invalidSignatures: number;
  /** Verified, but not a submission.completed event we can read. */
  malformed: number;
  /** The first delivery for the submission, or undefined if none came within timeoutMs. */
  waitFor(
    correlationId: string,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<CallbackArrival | undefined>;
  close(): Promise<void>;
}

/**
 * A partner's webhook endpoint on 127.0.0.1: every delivery is checked with
 * the independent `standardwebhooks` verifier and the secret of the partner
 * whose path it came to, so a callback signed with the wrong tenant's secret
 * counts as invalid rather than delivered.
 */
export async function startCallbackReceiver(secrets: Record<string, string>): Promise<CallbackReceiver> {
  const verifiers = new Map(Object.entries(secrets).map(([id, secret]) => [id, new Webhook(secret)]));
  const arrivals = new Map<string, CallbackArrival[]>();
  const waiters = new Map<string, Array<(arrival: CallbackArrival) => void>>();
  const state = { invalidSignatures: 0, malformed: 0 };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = Date.now();
      const clientId = /^\/callbacks\/([^/?]+)$/.exec(req.url ?? '')?.[1] ?? '';
      const verifier = verifiers.get(decodeURIComponent(clientId));
      const headers = {
        'webhook-id': String(req.headers['webhook-id'] ?? ''),
        'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
        'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
      };
      let event: unknown;
      try {
        if (!verifier) throw new Error(`no partner at ${req.url}`);
        event = verifier.verify(Buffer.concat(chunks), headers);
      } catch {
        state.invalidSignatures++;
        res.writeHead(400).end();
        return;
      }
      const data = (event as { type?: unknown; data?: { correlationId?: unknown; status?: unknown } }).data;
      const type = (event as { type?: unknown }).type;
      if (type !== 'submission.completed' || typeof data?.correlationId !== 'string') {
        state.malformed++;
        res.writeHead(204).end();
        return;
      }
      const arrival = { at, webhookId: headers['webhook-id'], status: String(data.status) };
      const list = arrivals.get(data.correlationId) ?? [];
      list.push(arrival);
      arrivals.set(data.correlationId, list);
      for (const resolve of waiters.get(data.correlationId) ?? []) resolve(arrival);
      waiters.delete(data.correlationId);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    urlFor: (clientId) => `http://127.0.0.1:${port}/callbacks/${encodeURIComponent(clientId)}`,
    arrivals,
    get invalidSignatures() {
      return state.invalidSignatures;
    },
    get malformed() {
      return state.malformed;
    },
    waitFor(correlationId, timeoutMs, signal) {
      const first = arrivals.get(correlationId)?.[0];
      if (first) return Promise.resolve(first);
      return new Promise((resolve) => {
        const done = (arrival: CallbackArrival | undefined) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          const list = waiters.get(correlationId)?.filter((w) => w !== done);
          if (list?.length) waiters.set(correlationId, list);
          else waiters.delete(correlationId);
          resolve(arrival);
        };
        const onAbort = () => done(undefined);
        const timer = setTimeout(() => done(undefined), timeoutMs);
        signal.addEventListener('abort', onAbort, { once: true });
        waiters.set(correlationId, [...(waiters.get(correlationId) ?? []), done]);
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
