import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

let browser: Browser;
let server: TestServer;
beforeAll(async () => {
  if (!hasChromium) return;
  server = await startTestServer();
  browser = await launchChromium();
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
});
