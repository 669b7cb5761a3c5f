import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

let browser: Browser;
let server: TestServer;
beforeAll(async () => {
  if (!hasChromium) return;
  server = await startTestServer();
  // localhost to the loopback address the test server listens on (not ::1, where nothing listens).
  browser = await launchChromium(['--host-resolver-rules=MAP localhost 127.0.0.1']);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe.skipIf(!hasChromium)('the API reference at /docs', () => {
  it('renders every operation of the partner contract, with no request leaving this server', async () => {
    const page = await browser.newPage();
    const requested: string[] = [];
    page.on('request', (request) => {
      requested.push(request.url());
    });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));

    await page.goto(`${server.url}/docs`, { timeout: 20_000 });
    await page.getByText('createSubmission', { exact: true }).first().waitFor({ timeout: 20_000 });
    const text = (await page.locator('body').textContent()) ?? '';
    const doc = (await (
      await fetch(`${server.url}/openapi.json`, { signal: AbortSignal.timeout(10_000) })
    ).json()) as { paths: Record<string, Record<string, { operationId?: string; summary?: string }>> };
    for (const item of Object.values(doc.paths)) {
      for (const operation of Object.values(item)) {
        if (operation.operationId) expect(text).toContain(operation.operationId);
      }
    }
    expect(text).toContain('Get presigned upload URLs (start a submission)');
    expect(errors).toEqual([]);
    const origin = new URL(server.url).origin;
    expect(requested.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:'))).toEqual([]);
    expect(requested).toContain(`${origin}/openapi.json`);
  });

  it('also shows the admin API, from its own document', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/docs?urls.primaryName=${encodeURIComponent('Admin API (mock only)')}`, {
      timeout: 20_000,
    });
    await page.getByText('queueScenario', { exact: true }).first().waitFor({ timeout: 20_000 });
    const text = (await page.locator('body').textContent()) ?? '';
    for (const operationId of [
      'changePartnerClock',
      'advanceSubmission',
      'redeliverCallback',
      'resetPartner',
    ]) {
      expect(text).toContain(operationId);
    }
  });

  for (const name of ['127.0.0.1', 'localhost']) {
    it(`tries an operation out from a page opened at ${name}: the server's real answer, not "Failed to fetch"`, async () => {
      const { port } = new URL(server.url);
      const page = await browser.newPage();
      // Deep linking opens the operation: GET /readyz, which needs no credentials and names the engine.
      await page.goto(`http://${name}:${port}/docs#/Operations/getReadiness`, { timeout: 20_000 });
      const operation = page.locator('#operations-Operations-getReadiness');
      await operation.getByRole('button', { name: 'Try it out' }).click({ timeout: 20_000 });
      await operation.getByRole('button', { name: 'Execute' }).click({ timeout: 10_000 });
      const answer = operation.locator('.live-responses-table');
      await answer.waitFor({ timeout: 20_000 });
      const text = (await answer.textContent({ timeout: 10_000 })) ?? '';
      expect(text).not.toContain('Failed to fetch');
      // The live answer: its status and this server's engine, which no example in the document says.
      await expect
        .poll(
          async () =>
            (await operation
              .locator('.live-responses-table tr.response .response-col_status')
              .first()
              .textContent()) ?? '',
          {
            timeout: 10_000,
          },
        )
        .toContain('200');
      expect(
        await operation
          .locator('.live-responses-table tr.response .response-col_description')
          .first()
          .textContent(),
      ).toContain('"engine": "fixture"');
      // The request went to the page's own origin, as the curl line shows.
      expect(await operation.locator('.curl-command').textContent()).toContain(
        `http://${name}:${port}/readyz`,
      );
      await page.close();
    });
  }

  it('shows error examples a partner would really get: the status listed, a /problems/<code> type', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/docs#/Submissions/createSubmission`, { timeout: 20_000 });
    const operation = page.locator('#operations-Submissions-createSubmission');
    const unauthorized = operation.locator('tr.response[data-code="401"]');
    await unauthorized.waitFor({ timeout: 20_000 });
    const example = (await unauthorized.textContent()) ?? '';
    expect(example).toContain('"status": 401');
    expect(example).toContain('"type": "/problems/invalid-token"');
    const badRequest = (await operation.locator('tr.response[data-code="400"]').textContent()) ?? '';
    expect(badRequest).toContain('"status": 400');
    expect(badRequest).toContain('/problems/validation-failed');
    expect((await operation.textContent()) ?? '').not.toContain('path/index.html');
    await page.close();
  });
});
