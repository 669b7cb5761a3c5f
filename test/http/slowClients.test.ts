import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFixture } from '../../fixtures/index.ts';
import { partnerClient } from '../support/partnerClient.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

/**
 * Clients that are slow, stalled or silent, over raw sockets: each is let go after its time-out,
 * and a slow upload whose bytes keep coming still passes. Time-outs are a few seconds here
 * (config `connections`); the defaults are 20 s for headers and a stalled body, 30 s idle.
 */
const IDLE_S = 2;
const BODY_IDLE_S = 2;
const HEADERS_S = 2;

let server: TestServer;
let port: number;
beforeAll(async () => {
  server = await startTestServer({
    connections: {
      headersTimeoutSeconds: HEADERS_S,
      bodyIdleTimeoutSeconds: BODY_IDLE_S,
      requestTimeoutSeconds: 60,
      idleTimeoutSeconds: IDLE_S,
      keepAliveTimeoutSeconds: 1,
    },
  });
  port = Number(new URL(server.url).port);
});
afterAll(async () => {
  await server?.stop();
});

/** A raw connection: what it receives, and when the server closed it. */
function rawConnection(): Promise<{ socket: Socket; received: () => string; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const opened = Date.now();
    let text = '';
    const socket = connect(port, '127.0.0.1', () =>
      resolve({
        socket,
        received: () => text,
        closed: new Promise((done) => socket.once('close', () => done(Date.now() - opened))),
      }),
    );
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
    });
    socket.on('error', () => undefined);
    socket.once('error', reject);
    // No connection here lives longer than this test allows.
    setTimeout(() => socket.destroy(), 30_000).unref();
  });
}

describe('slow and silent clients', () => {
  it('closes a connection that sends nothing after the idle time-out', async () => {
    const { closed, received } = await rawConnection();
    const after = await closed;
    // Whichever comes first: the idle time-out closes it silently, the headers time-out with a 408.
    expect(after).toBeGreaterThanOrEqual(Math.min(IDLE_S, HEADERS_S) * 1000 - 200);
    expect(after).toBeLessThan(Math.max(IDLE_S, HEADERS_S) * 1000 + 1500);
    expect(received()).toMatch(/^(|HTTP\/1\.1 408 [\s\S]*)$/);
  });

  it('answers unfinished headers with 408 and closes, within the headers time-out', async () => {
    const { socket, closed, received } = await rawConnection();
    socket.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
    const after = await closed;
    expect(after).toBeLessThan(HEADERS_S * 1000 + 5000);
    expect(received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('answers a JSON body that stops arriving with 408 problem+json and closes the connection', async () => {
    const token = await server.token();
    const { socket, closed, received } = await rawConnection();
    socket.write(
      [
        'POST /v1/submissions HTTP/1.1',
        `Host: 127.0.0.1:${port}`,
        `Authorization: Bearer ${token}`,
        'Content-Type: application/json',
        'Content-Length: 40',
        '',
        '{"referenceId": "stal',
      ].join('\r\n'),
    );
    const after = await closed;
    expect(after).toBeLessThan(BODY_IDLE_S * 1000 + 5000);
    const answer = received();
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(answer).toMatch(/content-type: application\/problem\+json/i);
    expect(answer).toMatch(/"code":"request-timeout"/);
    expect(answer).toMatch(/connections\.bodyIdleTimeoutSeconds/);
  });

  it('lets a slow upload through as long as its bytes keep coming, past every idle time-out', async () => {
    const client = partnerClient(server.url, await server.token());
    const created = await client.createSubmission({ selfieContentType: 'image/png' });
    const upload = client.uploadFor(created.body, 'SELFIE');
    const bytes = await readFixture('success-selfie');
    const url = new URL(upload.url);
    const { socket, closed, received } = await rawConnection();
    socket.write(
      [
        `PUT ${url.pathname}${url.search} HTTP/1.1`,
        `Host: 127.0.0.1:${port}`,
        `Content-Type: ${upload.headers['Content-Type']}`,
        `Content-Length: ${bytes.length}`,
        'Connection: close',
        '',
        '',
      ].join('\r\n'),
    );
    // Eight slices, one every 600 ms: 4.8 s in all, more than twice every idle time-out.
    const slice = Math.ceil(bytes.length / 8);
    for (let offset = 0; offset < bytes.length; offset += slice) {
      socket.write(bytes.subarray(offset, offset + slice));
      await new Promise((resolve) => setTimeout(resolve, 600));
    }
    await closed;
    expect(received()).toMatch(/^HTTP\/1\.1 200/);
  });

  it('keeps an answered connection no longer than the keep-alive time-out', async () => {
    const { socket, closed, received } = await rawConnection();
    socket.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    const after = await closed;
    expect(received()).toMatch(/^HTTP\/1\.1 200/);
    // Keep-alive is 1 s here, the idle time-out 2 s: the shorter one lets the answered connection go.
    expect(after).toBeGreaterThanOrEqual(900);
    expect(after).toBeLessThan(IDLE_S * 1000 - 200);
  });
});
