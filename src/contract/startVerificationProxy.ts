import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inferPactMediaType } from './pactMediaType.ts';

/** Where Pact's verifier asks for a message interaction's content (its `message` transport). */
export const MESSAGE_PATH = '/__pact/messages';
/** Where the mock delivers the completion callbacks the provider states produce. */
export const CALLBACK_PATH = '/__pact/callbacks';

export interface VerificationProxy {
  url: string;
  /** Set once the mock listens; requests before that are refused. */
  forwardTo(upstream: string): void;
  /**
   * How many interactions the verifier has reached: each one ends the moment its request (or
   * message) is made, or a state it needs fails to set up. Pact's verifier reports nothing until
   * it is done, so this is what progress and a time limit's report can say.
   */
  interactionsReached(): number;
  close(): Promise<void>;
}

/**
 * What stands between Pact's verifier and the mock during `facematch-mock verify`. Request bodies
 * pass through as bytes (a form-encoded token request arrives exactly as the pact holds it), and
 * only `Authorization: Bearer …` is rewritten, to a fresh token of the partner under test: pacts
 * carry stale tokens from the partner's own tests. It also serves message interactions with the
 * completion callbacks the mock really delivered.
 */
export async function startVerificationProxy(options: {
  bearerToken: () => Promise<string>;
  /** How long a message request waits for the callback of the state's submission. */
  messageWaitMs: number;
}): Promise<VerificationProxy> {
  let upstream: URL | undefined;
  let lastCorrelationId: string | undefined;
  const callbacks: Array<{ correlationId: string | undefined; body: Buffer }> = [];
  const waiters = new Set<() => void>();
  let reached = 0;

  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    if (req.method === 'POST' && path === CALLBACK_PATH) return void receiveCallback(req, res);
    if (req.method === 'POST' && path === MESSAGE_PATH) {
      reached++;
      return void answerMessage(req, res);
    }
    if (!upstream) return void res.writeHead(503).end('the mock is not listening yet');
    void forward(req, res, upstream);
  });

  async function receiveCallback(req: IncomingMessage, res: ServerResponse) {
    const body = await readAll(req);
    let correlationId: string | undefined;
    try {
      correlationId = (JSON.parse(body.toString('utf8')) as { data?: { correlationId?: string } }).data
        ?.correlationId;
    } catch {
      correlationId = undefined;
    }
    callbacks.push({ correlationId, body });
    for (const wake of waiters) wake();
    res.writeHead(204).end();
  }

  async function answerMessage(req: IncomingMessage, res: ServerResponse) {
    await readAll(req);
    const deadline = Date.now() + options.messageWaitMs;
    for (;;) {
      const found = [...callbacks]
        .reverse()
        .find((c) => lastCorrelationId === undefined || c.correlationId === lastCorrelationId);
      if (found) {
        res
          .writeHead(200, {
            'content-type': 'application/json',
            'pact-message-metadata': Buffer.from(
              JSON.stringify({ contentType: 'application/json' }),
            ).toString('base64'),
          })
          .end(found.body);
        return;
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        res
          .writeHead(404, { 'content-type': 'text/plain' })
          .end(
            'No completion callback arrived for the provider state\'s submission; a message interaction needs a state that completes one ("a completed submission" or "a failed submission").',
          );
        return;
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, left);
        waiters.add(wake);
      });
    }
  }

  async function forward(req: IncomingMessage, res: ServerResponse, target: URL) {
    const headers = { ...req.headers, host: target.host };
    if (/^Bearer\s/i.test(req.headers.authorization ?? ''))
      headers.authorization = `Bearer ${await options.bearerToken()}`;
    // Pact's verifier sends a body the pact gives no Content-Type without one, though it matched
    // and typed that body by its content; the mock, like the real API, reads a body by its type, so
    // the type Pact inferred is named for it.
    let body: Buffer | undefined;
    if (!req.headers['content-type'] && carriesBody(req)) {
      body = await readAll(req);
      if (body.length > 0) headers['content-type'] = inferPactMediaType(body.toString('utf8'));
    }
    const isStateChange = req.method === 'POST' && (req.url ?? '').startsWith('/__admin/provider-states');
    if (!isStateChange) reached++;
    const upstreamRequest = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      async (answer) => {
        if (isStateChange) {
          // Remember the submission a state created, so its callback answers the message interaction.
          const body = await readAll(answer);
          try {
            const values = JSON.parse(body.toString('utf8')) as { correlationId?: string };
            if (values.correlationId) lastCorrelationId = values.correlationId;
          } catch {
            // not JSON: an error the verifier reports itself
          }
          // A state that fails to set up ends its interaction: the verifier makes no request for it.
          if ((answer.statusCode ?? 502) >= 300) reached++;
          res.writeHead(answer.statusCode ?? 502, answer.headers).end(body);
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstreamRequest.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`facematch-mock verify: the mock did not answer (${error.message})`);
    });
    if (body) upstreamRequest.end(body);
    else req.pipe(upstreamRequest);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    forwardTo(url) {
      upstream = new URL(url);
    },
    interactionsReached: () => reached,
    async close() {
      for (const wake of waiters) wake();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function carriesBody(req: IncomingMessage): boolean {
  return Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
}

function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}
