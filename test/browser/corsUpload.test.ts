import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFixture } from '../../fixtures/index.ts';
import { hasChromium, launchChromium, servePage } from '../support/browser.ts';
import { partnerClient } from '../support/partnerClient.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

let browser: Browser;
let page: Page;
let partnerApp: Awaited<ReturnType<typeof servePage>>;
let server: TestServer;

beforeAll(async () => {
  if (!hasChromium) return;
  partnerApp = await servePage('<!doctype html><title>partner web app</title><p>uploads from here</p>');
  // The bucket takes any origin by default; the API only the partner app's.
  server = await startTestServer({ cors: { apiOrigins: [partnerApp.origin], bucketOrigins: ['*'] } });
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(partnerApp.origin, { timeout: 10_000 });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await partnerApp?.close();
});

/** fetch() inside the page, from the partner app's origin; a CORS refusal comes back as an error. */
function fetchInPage(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: number[] },
) {
  return page.evaluate(
    async ({ url, init }) => {
      try {
        const response = await fetch(url, {
          method: init.method,
          headers: init.headers,
          body: init.body ? new Uint8Array(init.body) : undefined,
          signal: AbortSignal.timeout(10_000),
        });
        return { status: response.status, etag: response.headers.get('etag'), text: await response.text() };
      } catch (error) {
        return { error: String(error) };
      }
    },
    { url, init },
  );
}

describe.skipIf(!hasChromium)('a browser page on another origin', () => {
  it('uploads both images to their presigned URLs with fetch PUT, and the submission completes', async () => {
    const client = partnerClient(server.url, await server.token());
    const created = await client.createSubmission({ selfieContentType: 'image/png' });
    for (const [type, fixture] of [
      ['SELFIE', 'success-selfie'],
      ['DOCUMENT', 'document'],
    ] as const) {
      const upload = client.uploadFor(created.body, type);
      const answer = await fetchInPage(upload.url, {
        method: 'PUT',
        headers: upload.headers,
        body: [...(await readFixture(fixture))],
      });
      expect(answer).toMatchObject({ status: 200 });
      // Exposed, so the page can read it.
      expect((answer as { etag: string }).etag).toMatch(/^"[0-9a-f]{32}"$/);
    }
    expect((await client.confirm(created.body.correlationId)).response.status).toBe(202);
    expect((await client.pollUntilFinished(created.body.correlationId)).status).toBe('COMPLETED');
  });

  it('calls the API with a bearer token from an allowed origin', async () => {
    const token = await server.token();
    const answer = await fetchInPage(`${server.url}/v1/submissions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: [...Buffer.from('{}')],
    });
    expect(answer).toMatchObject({ status: 201 });
  });

  it('is refused by the API from an origin that is not allowed', async () => {
    const other = await startTestServer();
    try {
      const answer = await fetchInPage(`${other.url}/v1/submissions`, {
        method: 'POST',
        headers: { authorization: 'Bearer x', 'content-type': 'application/json' },
        body: [...Buffer.from('{}')],
      });
      expect(answer).toMatchObject({ error: expect.stringMatching(/TypeError|Failed to fetch/) });
    } finally {
      await other.stop();
    }
  });
});
