import { createServer, type Socket, connect as tcpConnect } from 'node:net';

export interface RoundTripCounter {
  /** postgres://… of the same database, through the counter. */
  urlFor(databaseUrl: string): string;
  /** Round trips seen so far: Sync and simple Query messages from every client. */
  count(): number;
  /**
   * Statements sent so far by their text's beginning (Parse and simple Query messages), and
   * executions of named prepared statements (graphile-worker's) by their name.
   */
  statements(): Map<string, number>;
  close(): Promise<void>;
}

/** Untyped first messages a client may send before its startup message, each answered on its own. */
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const BYTE_S = 0x53;
const BYTE_Q = 0x51;
const BYTE_P = 0x50;
const BYTE_B = 0x42;
/** How much of a statement's message is read for its text: enough to tell statements apart. */
const TEXT_BYTES = 400;

/**
 * A TCP relay on 127.0.0.1 in front of PostgreSQL that counts round trips on the wire: every simple
 * Query ('Q') and every Sync ('S', which ends an extended-protocol query) a client sends is one
 * request the client waits for. The servers do not expose their own count over HTTP, so the
 * census runs them through this relay instead (in a pass of its own: relaying costs CPU).
 */
export async function startRoundTripCounter(target: {
  host: string;
  port: number;
}): Promise<RoundTripCounter> {
  let trips = 0;
  const statements = new Map<string, number>();
  const cstring = (body: Buffer, from: number) => {
    const end = body.indexOf(0, from);
    return body.subarray(from, end < 0 ? body.length : end).toString('utf8');
  };
  const record = (type: number, body: Buffer) => {
    // Parse: statement name, query; simple Query: query; Bind: portal, statement name (all NUL-ended).
    // An unnamed statement is parsed for each execution; a named one only once per connection, so
    // its executions are counted by its Bind.
    let text: string;
    if (type === BYTE_B) {
      const name = cstring(body, body.indexOf(0) + 1);
      if (!name) return;
      text = `(prepared statement ${name})`;
    } else {
      text = cstring(body, type === BYTE_P ? body.indexOf(0) + 1 : 0);
      if (type === BYTE_P && body[0] !== 0) return;
    }
    const key = text.replace(/\s+/g, ' ').trim().slice(0, 100);
    statements.set(key, (statements.get(key) ?? 0) + 1);
  };
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = tcpConnect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    upstream.pipe(client);
    // Only message headers and statements' first bytes are kept; the rest of a body (an image can
    // be megabytes) is skipped as it passes.
    let header = Buffer.alloc(0);
    let skip = 0;
    let untyped = true;
    let text: { type: number; parts: Buffer[]; wanted: number } | undefined;
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      let at = 0;
      while (at < chunk.length) {
        if (skip > 0) {
          const passed = Math.min(skip, chunk.length - at);
          if (text && text.wanted > 0) {
            const part = chunk.subarray(at, at + Math.min(passed, text.wanted));
            text.parts.push(part);
            text.wanted -= part.length;
          }
          skip -= passed;
          at += passed;
          if (skip === 0 && text) {
            record(text.type, Buffer.concat(text.parts));
            text = undefined;
          }
          continue;
        }
        // Untyped: Int32 length, Int32 code. Typed: Byte1 type, Int32 length (itself included).
        const need = untyped ? 8 : 5;
        const take = Math.min(need - header.length, chunk.length - at);
        header = Buffer.concat([header, chunk.subarray(at, at + take)]);
        at += take;
        if (header.length < need) break;
        if (untyped) {
          const code = header.readInt32BE(4);
          skip = header.readInt32BE(0) - 8;
          untyped = code === SSL_REQUEST || code === GSSENC_REQUEST;
        } else {
          const type = header[0];
          if (type === BYTE_S || type === BYTE_Q) trips++;
          skip = header.readInt32BE(1) - 4;
          if ((type === BYTE_P || type === BYTE_Q || type === BYTE_B) && skip > 0)
            text = { type, parts: [], wanted: Math.min(skip, TEXT_BYTES) };
        }
        header = Buffer.alloc(0);
      }
    });
    client.on('end', () => upstream.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    urlFor(databaseUrl) {
      const url = new URL(databaseUrl);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return url.toString();
    },
    count: () => trips,
    statements: () => new Map(statements),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
