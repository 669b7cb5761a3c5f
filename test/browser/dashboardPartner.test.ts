import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient } from '../support/adminClient.ts';
import { hasChromium, launchChromium } from '../support/browser.ts';
import { type DashboardPage, openDashboard, seriousAxeViolations } from '../support/dashboardPage.ts';
import { startFlow } from '../support/runFlow.ts';
import { DEMO, DEMO_2, startTestServer, type TestServer } from '../support/testServer.ts';

const OPERATOR_TOKEN = 'dashboard-operator-token-0123456789';

let browser: Browser;
let server: TestServer;

beforeAll(async () => {
  if (!hasChromium) return;
  [server, browser] = await Promise.all([
    startTestServer({ admin: { token: OPERATOR_TOKEN, journalSize: 1000 } }),
    launchChromium(),
  ]);
  const [tokenA, tokenB] = await Promise.all([server.token(DEMO), server.token(DEMO_2)]);
  await startFlow(server.url, tokenA, { referenceId: 'partner-a-loan' });
  await startFlow(server.url, tokenB, { referenceId: 'partner-b-loan' });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** The page is signed in once it says whom as. */
async function signedInAs(page: Page, text: string) {
  await page.getByTestId('signed-in').getByText(text).waitFor({ timeout: 10_000 });
}

function expectCleanPage(opened: DashboardPage) {
  expect(opened.foreignRequests).toEqual([]);
  expect(opened.errors).toEqual([]);
  expect(opened.serverErrors).toEqual([]);
}

describe.skipIf(!hasChromium)('the dashboard signed in as a partner', () => {
  it("with the partner's access token: only its submissions, no partner picker, no global reset", async () => {
    const opened = await openDashboard(browser, server.url, '#/submissions');
    const { page } = opened;
    await page.getByRole('heading', { name: /^Sign in to see/ }).waitFor();
    // The dialog says both tokens are taken.
    expect(
      await page
        .getByRole('heading', { name: /^Sign in to see/ })
        .locator('..')
        .textContent(),
    ).toMatch(/operator token shows every partner.*partner’s own access token/);
    await page.getByLabel('Operator token or partner access token').fill(await server.token(DEMO));
    await page.getByRole('button', { name: 'Use token' }).click();
    await signedInAs(page, 'Signed in as partner demo');

    await page.getByText('partner-a-loan').waitFor({ timeout: 10_000 });
    const rows = page.getByTestId('submission-row');
    expect(await rows.count()).toBeGreaterThan(0);
    for (const partner of await page
      .getByTestId('submission-row')
      .locator('td:nth-child(2)')
      .allTextContents()) {
      expect(partner).toBe(DEMO.clientId);
    }
    expect(await page.getByText('partner-b-loan').count()).toBe(0);
    expect(await page.getByRole('combobox', { name: 'Partner' }).count()).toBe(0);
    // It follows its own event stream.
    expect(opened.eventStreams.some((s) => s.startsWith('200 text/event-stream'))).toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.goto(`${server.url}/ui#/control`);
    await page.getByRole('heading', { name: 'Reset partner' }).waitFor({ timeout: 10_000 });
    expect(await page.getByRole('button', { name: `Reset ${DEMO.clientId}…` }).count()).toBe(1);
    expect(await page.getByRole('heading', { name: 'Reset everything' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Reset every partner/ }).count()).toBe(0);
    expect(await page.getByLabel('Partner to control').count()).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);
    expectCleanPage(opened);
  });

  it('with client id and secret: the page gets its own token and renews it when its clock runs past it', async () => {
    const opened = await openDashboard(browser, server.url, '#/submissions');
    const { page } = opened;
    await page.getByLabel('Partner client id').fill(DEMO_2.clientId);
    await page.getByLabel('Partner client secret').fill(DEMO_2.clientSecret);
    await page.getByRole('button', { name: 'Sign in as partner' }).click();
    await signedInAs(page, `Signed in as partner ${DEMO_2.clientId}`);
    await page.getByText('partner-b-loan').waitFor({ timeout: 10_000 });
    expect(await page.getByText('partner-a-loan').count()).toBe(0);
    // The secret stays in the page's memory; only the access token is kept for the tab.
    const stored = await page.evaluate(() => JSON.stringify(sessionStorage));
    expect(stored).not.toContain(DEMO_2.clientSecret);

    // Past the token's lifetime on B's clock the page's token no longer verifies: it gets a new one.
    const operator = adminClient(server.url, OPERATOR_TOKEN);
    const ttl = (await operator.call('GET', `/partners/${DEMO_2.clientId}`)).body.tokenTtlSeconds as number;
    expect((await operator.advanceClock(DEMO_2.clientId, ttl + 60)).response.status).toBe(200);
    try {
      await startFlow(server.url, await server.token(DEMO_2), { referenceId: 'partner-b-after-expiry' });
      await page.getByText('partner-b-after-expiry').waitFor({ timeout: 15_000 });
      expect(await page.getByRole('heading', { name: /^Sign in to see/ }).count()).toBe(0);
    } finally {
      expect((await operator.resetClock(DEMO_2.clientId)).response.status).toBe(200);
    }
    expect(await seriousAxeViolations(page)).toEqual([]);
    expectCleanPage(opened);
  });

  it('signed in as the operator it keeps the partner picker and offers resetting everything', async () => {
    const opened = await openDashboard(browser, server.url, '#/control');
    const { page } = opened;
    await page.getByLabel('Operator token or partner access token').fill(OPERATOR_TOKEN);
    await page.getByRole('button', { name: 'Use token' }).click();
    await signedInAs(page, 'Signed in as the operator');
    await page.getByRole('heading', { name: 'Reset everything' }).waitFor({ timeout: 10_000 });
    expect(await page.getByLabel('Partner to control').count()).toBe(1);
    await page.goto(`${server.url}/ui#/submissions`);
    await page.getByText('partner-b-loan').waitFor({ timeout: 10_000 });
    await page.getByText('partner-a-loan').waitFor();
    expect(await page.getByRole('combobox', { name: 'Partner' }).count()).toBe(1);
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: /^Sign in to see/ }).waitFor({ timeout: 10_000 });
    expect(await page.getByText('partner-a-loan').count()).toBe(0);
    expectCleanPage(opened);
  });
});
