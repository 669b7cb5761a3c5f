import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFlow } from '../support/runFlow.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

/*
 * The admin API and the dashboard can be driven from any web page the developer visits unless
 * the server refuses what a browser sends on another site's behalf: a cross-site request (Origin,
 * Sec-Fetch-Site) and, against DNS rebinding, a request naming a host that is not this server's.
 * Requests are sent with node:http, which (unlike fetch) lets a test name any Host header.
 */
interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

function send(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Answer> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: url.pathname + url.search,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 10 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** The demo partner's token, asked for at the loopback address (the public URL of a test server may be fictitious). */
async function partnerToken(base: string): Promise<string> {
  const answer = await send(
    base,
    'POST',
    '/v1/oauth/token',
    {
      authorization: `Basic ${Buffer.from('demo:demo-secret').toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    'grant_type=client_credentials',
  );
  if (answer.status !== 200) throw new Error(`token: ${answer.status} ${answer.text}`);
  return (JSON.parse(answer.text) as { access_token: string }).access_token;
}

const problem = (answer: Answer) => JSON.parse(answer.text) as Record<string, unknown>;

describe('the admin API refuses what a web page sends on its own behalf', () => {
  let server: TestServer;
  let port: string;
  let correlationId: string;
  beforeAll(async () => {
    server = await startTestServer({
      admin: { allowedHosts: ['sandbox.lan', '.dev.example'], journalSize: 5000 },
    });
    port = new URL(server.url).port;
    correlationId = (await startFlow(server.url, await server.token())).id;
  });
  afterAll(async () => {
    await server?.stop();
  });

  const submissionExists = async () =>
    (await send(server.url, 'GET', `/__admin/submissions/${correlationId}`)).status === 200;

  it('refuses a cross-site POST reset (Origin: http://evil.example) with 403, and the data stays', async () => {
    const answer = await send(server.url, 'POST', '/__admin/partners/demo/reset', {
      origin: 'http://evil.example',
    });
    expect(answer.status).toBe(403);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(problem(answer)).toMatchObject({
      code: 'cross-site-request',
      errors: [{ location: 'header', field: 'Origin' }],
    });
    expect(problem(answer).detail).toContain('http://evil.example');
    // No CORS grant that would let the page read the refusal (or anything else) either.
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    expect(await submissionExists()).toBe(true);
  });

  it('refuses Sec-Fetch-Site: cross-site without an Origin (a form or no-cors request), POST and GET', async () => {
    const reset = await send(server.url, 'POST', '/__admin/reset', { 'sec-fetch-site': 'cross-site' });
    expect(reset.status).toBe(403);
    expect(problem(reset)).toMatchObject({
      code: 'cross-site-request',
      errors: [{ location: 'header', field: 'Sec-Fetch-Site' }],
    });
    // An <img src> on another site's page cannot read the pixels, but it gets nothing at all.
    const image = await send(server.url, 'GET', `/__admin/submissions/${correlationId}/images/SELFIE`, {
      'sec-fetch-site': 'cross-site',
      'sec-fetch-mode': 'no-cors',
      'sec-fetch-dest': 'image',
    });
    expect(image.status).toBe(403);
    expect(await submissionExists()).toBe(true);
  });

  it('refuses a POST from a null origin (a sandboxed frame, a file: page)', async () => {
    const answer = await send(server.url, 'POST', '/__admin/partners/demo/reset', { origin: 'null' });
    expect(answer.status).toBe(403);
    expect(await submissionExists()).toBe(true);
  });

  it('answers a rebound host (Host: evil.example) 421 naming the Host header, and no image bytes', async () => {
    const answer = await send(server.url, 'GET', `/__admin/submissions/${correlationId}/images/SELFIE`, {
      host: `evil.example:${port}`,
    });
    expect(answer.status).toBe(421);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = problem(answer);
    expect(body).toMatchObject({
      code: 'misdirected-host',
      errors: [{ location: 'header', field: 'Host' }],
    });
    expect(body.detail).toContain('evil.example');
    expect(body.detail).toContain('admin.allowedHosts');
    // The dashboard too: its page would call the admin API under the same name.
    const dashboard = await send(server.url, 'GET', '/ui', { host: `evil.example:${port}` });
    expect(dashboard.status).toBe(421);
    // A state change under a rebound name is refused as well, whatever its origin says.
    const reset = await send(server.url, 'POST', '/__admin/reset', {
      host: `evil.example:${port}`,
      origin: `http://evil.example:${port}`,
    });
    expect(reset.status).toBe(421);
    expect(await submissionExists()).toBe(true);
  });

  it.each([
    ['localhost', 'localhost:PORT'],
    ['a name under .localhost', 'dashboard.localhost:PORT'],
    ['127.0.0.1', '127.0.0.1:PORT'],
    ['another 127.x address', '127.1.2.3:PORT'],
    ['[::1]', '[::1]:PORT'],
    ['a LAN address (an IP literal is never a rebound name)', '192.168.1.20:PORT'],
    ['a configured name', 'sandbox.lan:PORT'],
    ['a name under a configured .domain', 'ci.dev.example'],
    ['a configured name, upper case with a trailing dot', 'SANDBOX.LAN.'],
  ])('answers a request whose Host is %s', async (_what, host) => {
    const image = await send(server.url, 'GET', `/__admin/submissions/${correlationId}/images/SELFIE`, {
      host: host.replace('PORT', port),
    });
    expect(image.status).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
  });

  it.each([
    ['a look-alike of a configured name', 'sandbox.lan.evil.example'],
    ['a parent of a configured name', 'lan'],
    ['a name that only ends like a configured one', 'evilsandbox.lan'],
    ['a user-info trick', 'localhost@evil.example:PORT'],
  ])('refuses %s with 421', async (_what, host) => {
    const answer = await send(server.url, 'GET', '/__admin/whoami', { host: host.replace('PORT', port) });
    expect(answer.status).toBe(421);
  });

  it('takes a state change from its own pages and from clients without an Origin (curl, test suites)', async () => {
    const queue = (headers: Record<string, string>) =>
      send(
        server.url,
        'POST',
        '/__admin/partners/demo/scenario-queue',
        headers,
        JSON.stringify({ scenario: 'review', count: 1 }),
      );
    // curl: no Origin, no Sec-Fetch-*.
    expect((await queue({})).status).toBe(200);
    // The dashboard, as a browser sends it.
    expect((await queue({ origin: server.url, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    // The dashboard opened as localhost, served under that name.
    expect(
      (
        await queue({
          host: `localhost:${port}`,
          origin: `http://localhost:${port}`,
          'sec-fetch-site': 'same-origin',
        })
      ).status,
    ).toBe(200);
    // A page of a configured name (the team's own tool), even though the browser calls it cross-site.
    expect(
      (await queue({ origin: 'https://tools.dev.example', 'sec-fetch-site': 'cross-site' })).status,
    ).toBe(200);
    // A link followed from another site is a navigation: the JSON is shown to the user, not the page.
    const navigation = await send(server.url, 'GET', '/__admin/whoami', {
      'sec-fetch-site': 'cross-site',
      'sec-fetch-mode': 'navigate',
      'sec-fetch-dest': 'document',
    });
    expect(navigation.status).toBe(200);
    await send(server.url, 'DELETE', '/__admin/partners/demo/scenario-queue');
  });

  it('refuses a same-site page of another origin without an Origin header', async () => {
    const answer = await send(server.url, 'POST', '/__admin/partners/demo/reset', {
      'sec-fetch-site': 'same-site',
    });
    expect(answer.status).toBe(403);
    expect(await submissionExists()).toBe(true);
  });
});

describe('the Host check with an operator token, and turned off', () => {
  const TOKEN = 'operator-token-0123456789abcdef';
  let guarded: TestServer;
  let open: TestServer;
  /** Where `guarded` listens: its public URL names a host that does not resolve. */
  let guardedAt = '';
  beforeAll(async () => {
    [guarded, open] = await Promise.all([
      startTestServer({
        publicUrl: 'http://mock.example.test:9999',
        admin: { token: TOKEN, allowedHosts: [], journalSize: 5000 },
      }),
      startTestServer({ admin: { allowedHosts: ['*'], journalSize: 5000 } }),
    ]);
    guardedAt = `http://127.0.0.1:${(guarded.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await Promise.all([guarded?.stop(), open?.stop()]);
  });

  it('answers the public URL host, on any port, and refuses a look-alike', async () => {
    const authorization = `Bearer ${TOKEN}`;
    // The partner token is Host-checked (the operator token is not): it shows the public name is taken.
    const partner = `Bearer ${await partnerToken(guardedAt)}`;
    expect(
      (
        await send(guardedAt, 'GET', '/__admin/whoami', {
          host: 'mock.example.test',
          authorization: partner,
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await send(guardedAt, 'GET', '/__admin/whoami', {
          host: 'MOCK.example.test:9999',
          authorization: partner,
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await send(guardedAt, 'GET', '/__admin/whoami', {
          host: 'mock.example.test.evil.example',
          authorization: partner,
        })
      ).status,
    ).toBe(421);
    expect(
      (
        await send(guardedAt, 'GET', '/__admin/whoami', {
          host: 'mock.example.test.evil.example',
          authorization,
        })
      ).status,
    ).toBe(200);
  });

  it('answers the operator token under any name (Prometheus by container name), a partner token only under its own', async () => {
    const host = 'facematch-api-1:8080';
    const withOperator = await send(guardedAt, 'GET', '/metrics', {
      host,
      authorization: `Bearer ${TOKEN}`,
    });
    expect(withOperator.status).toBe(200);
    // A partner token can be had with the demo credentials, which any page knows: no exception.
    const partner = await send(guardedAt, 'GET', '/__admin/whoami', {
      host,
      authorization: `Bearer ${await partnerToken(guardedAt)}`,
    });
    expect(partner.status).toBe(421);
    expect(problem(partner).detail).toContain('operator token');
  });

  it('answers any name with allowedHosts ["*"], and still refuses a cross-site reset', async () => {
    const whoami = await send(open.url, 'GET', '/__admin/whoami', { host: 'evil.example' });
    expect(whoami.status).toBe(200);
    const reset = await send(open.url, 'POST', '/__admin/reset', { origin: 'http://evil.example' });
    expect(reset.status).toBe(403);
    expect(open.log.join('')).toMatch(/admin\.allowedHosts is \*.*DNS rebinding/);
  });
});
