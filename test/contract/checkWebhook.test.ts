import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { CallbackVerificationError, verifyCallback } from '../../src/client/index.ts';
import { DEMO } from '../support/testServer.ts';

type Handler = (req: IncomingMessage, rawBody: string, res: ServerResponse) => void;
const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of open.splice(0)) await close();
});

/** A partner receiver on 127.0.0.1, its behaviour given by the test. */
async function receiver(handle: Handler): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  open.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks`;
}

/** Verifies, then deduplicates on webhook-id; ignores event types it does not know. */
function correctReceiver(): Handler {
  const seen = new Set<string>();
  return (req, rawBody, res) => {
    try {
      const event = verifyCallback({ headers: req.headers, rawBody }, { secret: DEMO.webhookSecret });
      const id = String(req.headers['webhook-id']);
      if (!seen.has(id) && event.type === 'submission.completed') seen.add(id);
      res.writeHead(204).end();
    } catch (error) {
      res.writeHead(error instanceof CallbackVerificationError ? 400 : 500).end();
    }
  };
}

async function check(url: string, ...flags: string[]) {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  const code = await main(['check-webhook', url, ...flags], { stdout: stream, stderr: stream });
  return { code, text };
}

describe('facematch-mock check-webhook', () => {
  it('passes a receiver that verifies, acknowledges retries and ignores unknown types', async () => {
    const url = await receiver(correctReceiver());
    const { code, text } = await check(url, '--secret', DEMO.webhookSecret);
    expect(text).toContain('PASSED: 6 of 6 checks passed');
    expect(code).toBe(0);
  });

  it('takes the secret from the partner config with --client-id', async () => {
    const url = await receiver(correctReceiver());
    expect((await check(url, '--client-id', 'demo')).code).toBe(0);
  });

  it('fails a receiver that accepts bad signatures, naming each case', async () => {
    const url = await receiver((_req, _body, res) => res.writeHead(200).end());
    const { code, text } = await check(url, '--secret', DEMO.webhookSecret);
    expect(code).toBe(1);
    expect(text).toMatch(/FAIL {2}tampered signature: answered 200/);
    expect(text).toMatch(/FAIL {2}stale timestamp .*: answered 200/);
    expect(text).toMatch(/FAIL {2}missing webhook-signature header: answered 200/);
  });

  it('fails a receiver that answers 500 to a duplicate delivery', async () => {
    const seen = new Set<string>();
    const verifying = correctReceiver();
    const url = await receiver((req, body, res) => {
      const id = String(req.headers['webhook-id']);
      if (seen.has(id)) return void res.writeHead(500).end();
      seen.add(id);
      verifying(req, body, res);
    });
    const { code, text } = await check(url, '--secret', DEMO.webhookSecret);
    expect(code).toBe(1);
    expect(text).toMatch(/FAIL {2}duplicate delivery \(same webhook-id again\): answered 500/);
    expect(text).toMatch(/ok {4}valid event/);
  });

  it('names the argument that is not an http(s) URL', async () => {
    const { code, text } = await check('not-a-url', '--secret', DEMO.webhookSecret);
    expect(code).toBe(2);
    expect(text).toContain('<url>: "not-a-url" is not an http(s) URL');
    expect(text).not.toContain('Name one receiver URL');
  });

  it('says in one line that nothing answers at an unreachable receiver', async () => {
    // A port that was free a moment ago: nothing listens there, so the connection is refused.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks`;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const { code, text } = await check(url, '--secret', DEMO.webhookSecret, '--timeout-ms', '5000');
    expect(code).toBe(1);
    expect(text).toBe(`${url}: connection refused\n`);
  });

  it('refuses a missing secret and a bad URL with how to fix them', async () => {
    expect((await check('http://127.0.0.1:9/x')).text).toContain('--secret whsec_');
    expect((await check('ftp://x', '--secret', DEMO.webhookSecret)).code).toBe(2);
    expect((await check('--help')).text).toContain('--client-id ID');
  });
});
