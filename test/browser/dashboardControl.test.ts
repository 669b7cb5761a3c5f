import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureFile, readFixture } from '../../fixtures/index.ts';
import { adminClient } from '../support/adminClient.ts';
import { hasChromium, launchChromium } from '../support/browser.ts';
import { openDashboard, seriousAxeViolations } from '../support/dashboardPage.ts';
import { partnerClient } from '../support/partnerClient.ts';
import { startFlow } from '../support/runFlow.ts';
import { DEMO_2, startTestServer, type TestServer, testConfig } from '../support/testServer.ts';

let browser: Browser;
let server: TestServer;

beforeAll(async () => {
  if (!hasChromium) return;
  [server, browser] = await Promise.all([startTestServer(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe.skipIf(!hasChromium)('the dashboard controls', () => {
  it('queues review for the next submission of a partner, and a flow run over the API then gives Review', async () => {
    const { page } = await openDashboard(browser, server.url, '#/control');
    await page.getByLabel('Partner to control').selectOption('demo');
    await page.getByRole('combobox', { name: /^Scenario/ }).selectOption('review');
    await page.getByRole('button', { name: 'Queue scenario' }).click();
    await page.getByTestId('scenario-queue').getByText('review × 1').waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);

    // success-selfie.png alone would give Success 92: the queue decides.
    const flow = await startFlow(server.url, await server.token());
    expect((await flow.client.pollUntilFinished(flow.id)).status).toBe('COMPLETED');
    const details = await flow.client.details(flow.id);
    expect(details.body.result?.outcome).toBe('Review');
    // The queue was used up, and the page says so without a reload.
    await page.getByText('Nothing queued').waitFor({ timeout: 10_000 });

    await page.goto(`${server.url}/ui#/submissions/${flow.id}`);
    await page.locator('.score').getByText('Review', { exact: true }).waitFor();
    expect(await page.getByTestId('submission-facts').textContent()).toContain(
      'review (chosen by admin-queue)',
    );
  });

  it("advances a partner's clock past the upload URLs' lifetime: the upload is refused, and the journal says why", async () => {
    const client = partnerClient(server.url, await server.token(DEMO_2));
    const created = await client.createSubmission({ selfieContentType: 'image/png' });
    expect(created.response.status).toBe(201);

    const { page } = await openDashboard(browser, server.url, '#/control');
    await page.getByLabel('Partner to control').selectOption('demo-2');
    await page.getByLabel('Advance by (seconds)').fill('1000');
    await page.getByRole('button', { name: 'Advance clock' }).click();
    await page.getByRole('status').getByText('Advanced 1000 s').waitFor();
    // The message comes from the advance's answer; the clock panel re-fetches the clock after it.
    await expect
      .poll(async () => Number((await page.getByTestId('clock-offset').textContent())?.replace(' s', '')), {
        timeout: 10_000,
      })
      .toBeGreaterThanOrEqual(1000);

    const upload = await client.upload(
      client.uploadFor(created.body, 'SELFIE'),
      await readFixture('success-selfie'),
    );
    expect(upload.status).toBe(403);
    expect(await upload.text()).toContain('Request has expired');

    await page.goto(`${server.url}/ui#/journal`);
    const row = page.getByTestId('journal-row').filter({ hasText: created.body.correlationId }).first();
    await row.waitFor({ timeout: 10_000 });
    expect(await row.getByTestId('near-miss').textContent()).toContain('RequestExpired');
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.goto(`${server.url}/ui#/control`);
    await page.getByLabel('Partner to control').selectOption('demo-2');
    await page.getByRole('button', { name: 'Back to real time' }).click();
    await expect.poll(() => page.getByTestId('clock-offset').textContent()).toBe('0 s');
    expect((await adminClient(server.url).call('GET', '/partners/demo-2/clock')).body.offsetMs).toBe(0);
  });

  it('ends a stuck submission with one click on its page', async () => {
    const flow = await startFlow(server.url, await server.token(), { scenario: 'stuck' });
    const { page } = await openDashboard(browser, server.url, `#/submissions/${flow.id}`);
    await page.getByRole('button', { name: 'End processing now' }).click();
    await page.getByTestId('score-bar').waitFor({ timeout: 10_000 });
    expect((await flow.client.pollUntilFinished(flow.id)).status).toBe('COMPLETED');
  });

  it('runs the whole partner flow from the browser with "Try it": images uploaded from the page, outcome shown', async () => {
    const { page, foreignRequests, errors } = await openDashboard(browser, server.url, '#/try');
    expect(await page.getByLabel('Client id').inputValue()).toBe('demo');
    expect(await page.getByLabel('Client secret').inputValue()).toBe('demo-secret');
    await page.getByLabel('Reference id (optional)').fill('try-it-from-the-browser');
    await page.getByLabel('Selfie', { exact: true }).setInputFiles(fixtureFile('success-selfie'));
    await page.getByLabel('Document', { exact: true }).setInputFiles(fixtureFile('document'));
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Run the flow' }).click();

    const outcome = page.getByTestId('try-outcome');
    await outcome.waitFor({ timeout: 20_000 });
    expect(await outcome.textContent()).toMatch(/COMPLETED.*score 92.*Success/);
    const steps = (await page.getByTestId('try-steps').textContent()) ?? '';
    for (const step of [
      'Token',
      'Create submission',
      'Upload selfie',
      'Upload document',
      'Confirm',
      'Poll 1',
    ]) {
      expect(steps).toContain(step);
    }
    // It went through the partner API: the submission is the partner's, with the uploaded images.
    const listed = await adminClient(server.url).call(
      'GET',
      '/submissions?referenceId=try-it-from-the-browser',
    );
    expect(listed.body.submissions).toMatchObject([{ partnerId: 'demo', outcome: 'Success', score: 92 }]);
    await outcome.getByRole('link').click();
    await page.getByTestId('image-selfie').getByTestId('face-box').waitFor();
    expect(foreignRequests).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('asks for a token when the server has an operator token, and shows no data before it is given', async () => {
    const token = 'dashboard-test-admin-token-0123456789';
    const guarded = await startTestServer({ admin: { ...testConfig().admin, token } });
    try {
      const flow = await startFlow(guarded.url, await guarded.token(), { referenceId: 'behind-the-token' });
      await flow.client.pollUntilFinished(flow.id);
      const { page } = await openDashboard(browser, guarded.url, '#/submissions');
      const signIn = page.getByRole('heading', { name: /^Sign in to see/ });
      await signIn.waitFor();
      expect(await page.getByText('behind-the-token').count()).toBe(0);
      expect(await seriousAxeViolations(page)).toEqual([]);

      await page.getByLabel('Operator token or partner access token').fill(token);
      await page.getByRole('button', { name: 'Use token' }).click();
      await page.getByText('behind-the-token').waitFor({ timeout: 10_000 });
      expect(await signIn.count()).toBe(0);
      expect(await page.getByTestId('signed-in').textContent()).toContain('Signed in as the operator');
    } finally {
      await guarded.stop();
    }
  });
});
