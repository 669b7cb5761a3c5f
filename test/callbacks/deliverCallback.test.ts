import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { deliverCallback, RESPONSE_EXCERPT_BYTES } from '../../src/callbacks/deliverCallback.ts';
import { signWebhook } from '../../src/callbacks/signWebhook.ts';
import { closedPortUrl, type Reply, startReceiver, webhookHeadersOf } from '../support/receiver.ts';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const body = JSON.stringify({ type: 'submission.completed', timestamp: new Date().toISOString(), data: {} });
const headers = () => signWebhook({ secret, id: 'msg_test', timestamp: Math.floor(Date.now() / 1000), body });

const receivers: Array<{ close(): Promise<void> }> = [];
async function receiver(reply: (n: number) => Reply) {
  const r = await startReceiver(reply);
  receivers.push(r);
  return r;
}
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

describe('deliverCallback', () => {
  it('POSTs the signed JSON body and reports a 2xx as delivered', async () => {
    const r = await receiver(() => 204);
    const attempt = await deliverCallback({ url: r.url, body, headers: headers(), timeoutMs: 5000 });
    expect(attempt).toMatchObject({ ok: true, statusCode: 204 });
    expect(attempt.error).toBeUndefined();
    expect(Number.isNaN(Date.parse(attempt.at))).toBe(false);

    const received = r.requests[0];
    if (!received) throw new Error('the receiver saw no request');
    expect(received.method).toBe('POST');
    expect(received.headers['content-type']).toBe('application/json');
    expect(received.headers['user-agent']).toMatch(/^facematch-mock\/\d+\.\d+\.\d+/);
    expect(received.rawBody).toBe(body);
    expect(() => new Webhook(secret).verify(received.rawBody, webhookHeadersOf(received))).not.toThrow();
  });

  it('records a non-2xx answer as a failure with its status code', async () => {
    const r = await receiver(() => 500);
    const attempt = await deliverCallback({ url: r.url, body, headers: headers(), timeoutMs: 5000 });
    expect(attempt).toMatchObject({ ok: false, statusCode: 500 });
    expect(attempt.error).toMatch(/500/);
  });

  it('records the headers it sent and the start of the receiver’s answer, bounded', async () => {
    const problem = JSON.stringify({ error: 'signature mismatch', hint: 'check the secret' });
    const r = await receiver((n) => ({
      status: n === 0 ? 401 : 200,
      body: n === 0 ? problem : 'x'.repeat(5000),
    }));
    const sent = headers();
    const refused = await deliverCallback({ url: r.url, body, headers: sent, timeoutMs: 5000 });
    expect(refused).toMatchObject({
      ok: false,
      statusCode: 401,
      responseBodyExcerpt: problem,
      responseBodyTruncated: false,
    });
    const received = r.requests[0];
    if (!received) throw new Error('the receiver saw no request');
    // What is recorded is what went on the wire.
    expect(refused.requestHeaders).toEqual({
      ...sent,
      'content-type': 'application/json',
      'user-agent': received.headers['user-agent'],
    });
    expect(refused.requestHeaders?.['webhook-signature']).toBe(received.headers['webhook-signature']);

    const long = await deliverCallback({ url: r.url, body, headers: headers(), timeoutMs: 5000 });
    expect(long).toMatchObject({ ok: true, statusCode: 200, responseBodyTruncated: true });
    expect(long.responseBodyExcerpt).toBe('x'.repeat(RESPONSE_EXCERPT_BYTES));
  });

  it('does not follow a redirect and records the 3xx as a failure', async () => {
    const r = await receiver(() => ({ status: 302, headers: { location: '/elsewhere' } }));
    const attempt = await deliverCallback({ url: r.url, body, headers: headers(), timeoutMs: 5000 });
    expect(attempt).toMatchObject({ ok: false, statusCode: 302 });
    expect(attempt.error).toMatch(/redirect.*not followed/);
    expect(r.requests.map((q) => q.path)).toEqual(['/callbacks']);
  });

  it('connects only to the addresses it is given, naming the host of the URL', async () => {
    const r = await receiver(() => 204);
    const { port } = new URL(r.url);
    // .invalid never resolves: a lookup at connect time would fail the attempt.
    const url = `http://receiver.invalid:${port}/callbacks`;
    const attempt = await deliverCallback({
      url,
      body,
      headers: headers(),
      timeoutMs: 5000,
      connectTo: [{ address: '127.0.0.1', family: 4 }],
    });
    expect(attempt).toMatchObject({ ok: true, statusCode: 204 });
    expect(r.requests[0]?.headers.host).toBe(`receiver.invalid:${port}`);
  });

  it('records a receiver that never answers as a timeout', async () => {
    const r = await receiver(() => 'hang');
    const attempt = await deliverCallback({ url: r.url, body, headers: headers(), timeoutMs: 200 });
    expect(attempt.ok).toBe(false);
    expect(attempt.statusCode).toBeUndefined();
    expect(attempt.error).toMatch(/timed out after 200 ms/);
  });

  it('records a refused connection instead of throwing', async () => {
    const attempt = await deliverCallback({
      url: await closedPortUrl(),
      body,
      headers: headers(),
      timeoutMs: 5000,
    });
    expect(attempt.ok).toBe(false);
    expect(attempt.error).toMatch(/connection refused \(ECONNREFUSED\)/);
  });

  it('records an unresolvable host instead of throwing', async () => {
    const url = 'http://no-such-host.invalid/callbacks';
    const attempt = await deliverCallback({ url, body, headers: headers(), timeoutMs: 5000 });
    expect(attempt.ok).toBe(false);
    expect(attempt.error).toBeTruthy();
  });

  it.each(['not a url', 'ftp://partner.example/cb'])(
    'records the unusable URL %j instead of throwing',
    async (url) => {
      const attempt = await deliverCallback({ url, body, headers: headers(), timeoutMs: 5000 });
      expect(attempt.ok).toBe(false);
      expect(attempt.error).toMatch(/URL/);
    },
  );
});
