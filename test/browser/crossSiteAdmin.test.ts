import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient } from '../support/adminClient.ts';
import { hasChromium, launchChromium } from '../support/browser.ts';
import { openDashboard } from '../support/dashboardPage.ts';
import { startFlow } from '../support/runFlow.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

/*
 * What a web page the developer visits can do to a facematch-mock on their laptop, in a real
 * browser. The page is http://evil.example:PORT (Chromium resolves the name to 127.0.0.2, where
 * the test serves it), on the mock's own port: the origin a DNS-rebinding attacker would use.
 * Its same-origin requests other than for the page itself are passed on to the mock as sent, Host
 * header included, which is what the mock receives once the attacker's DNS answers 127.0.0.1.
 */
const ATTACKER_ADDRESS = '127.0.0.2';

let browser: Browser;
let server: TestServer;
let attacker: Server;
let port: number;

/** The attacker's page at `/`, and the mock behind every other path (the name after rebinding). */
async function serveAttacker(html: () => string): Promise<Server> {
  const proxy = createServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html());
      return;
    }
    const upstream = request(
      { host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers, timeout: 10_000 },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('timeout', () => upstream.destroy());
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(port, ATTACKER_ADDRESS, resolve));
  return proxy;
}

let attackerPage = '';

beforeAll(async () => {
  if (!hasChromium) return;
  [server, browser] = await Promise.all([
    startTestServer(),
    launchChromium([`--host-resolver-rules=MAP evil.example ${ATTACKER_ADDRESS}`]),
  ]);
  port = (server.server.address() as AddressInfo).port;
  attacker = await serveAttacker(() => attackerPage);
});
afterAll(async () => {
  await browser?.close();
  attacker?.closeAllConnections();
  await new Promise<void>((resolve) => (attacker ? attacker.close(() => resolve()) : resolve()));
  await server?.stop();
});

/** The attacker's page, opened; `window.done` is what its script found. */
async function visit(script: string): Promise<{ found: unknown; statuses: string[] }> {
  attackerPage = `<!doctype html><title>cute cats</title><body><script>window.done = (async () => { ${script} })();</script>`;
  const page = await browser.newPage();
  const statuses: string[] = [];
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (url.pathname.startsWith('/__admin/'))
      statuses.push(`${response.status()} ${response.request().method()} ${url.host}${url.pathname}`);
  });
  try {
    await page.goto(`http://evil.example:${port}/`, { timeout: 20_000 });
    const found = await page.evaluate(() => (window as unknown as { done: Promise<unknown> }).done);
    return { found, statuses };
  } finally {
    await page.close();
  }
}

describe.skipIf(!hasChromium)('a web page of another site, in Chromium', () => {
  it('cannot reset a partner with a fetch or a form posted to the mock: 403, and the submission stays', async () => {
    const { id } = await startFlow(server.url, await server.token());
    const target = `http://127.0.0.1:${port}/__admin/partners/demo/reset`;
    const { statuses } = await visit(`
      await fetch(${JSON.stringify(target)}, { method: 'POST', mode: 'no-cors' }).catch(() => null);
      const form = Object.assign(document.createElement('form'), { method: 'POST', action: ${JSON.stringify(target)}, target: 'sink' });
      const sink = Object.assign(document.createElement('iframe'), { name: 'sink' });
      document.body.append(sink, form);
      await new Promise((resolve) => { sink.onload = resolve; form.submit(); });
    `);
    expect(statuses).toEqual([
      `403 POST 127.0.0.1:${port}/__admin/partners/demo/reset`,
      `403 POST 127.0.0.1:${port}/__admin/partners/demo/reset`,
    ]);
    const submission = await adminClient(server.url).submission(id);
    expect(submission.response.status).toBe(200);
  });

  it('cannot read a face image by rebinding its own name to the mock: 421, no bytes', async () => {
    const { id } = await startFlow(server.url, await server.token());
    const { found } = await visit(`
      const answer = await fetch('/__admin/submissions/${id}/images/SELFIE');
      const body = await answer.arrayBuffer();
      return { status: answer.status, type: answer.headers.get('content-type'), bytes: body.byteLength };
    `);
    expect(found).toMatchObject({ status: 421, type: expect.stringMatching(/^application\/problem\+json/) });
    // The same request from the mock's own name is answered: the refusal is the name's alone.
    const image = await adminClient(server.url).get(`/__admin/submissions/${id}/images/SELFIE`);
    expect(image.status).toBe(200);
  });

  it('leaves the dashboard working under localhost: a partner reset from its page is done', async () => {
    const { id } = await startFlow(server.url, await server.token());
    const { page, serverErrors } = await openDashboard(browser, `http://localhost:${port}`, '#/control');
    const refused: string[] = [];
    page.on('response', (response) => {
      if (response.status() === 403 || response.status() === 421) refused.push(response.url());
    });
    await page.getByLabel('Partner to control').selectOption('demo');
    await page.getByRole('button', { name: 'Reset demo…' }).click();
    await page.getByRole('button', { name: 'Yes, reset demo' }).click();
    await page.getByRole('status').getByText('demo has a clean slate.').waitFor({ timeout: 10_000 });
    expect(refused).toEqual([]);
    expect(serverErrors).toEqual([]);
    expect((await adminClient(server.url).submission(id)).response.status).toBe(404);
    await page.close();
  });
});
