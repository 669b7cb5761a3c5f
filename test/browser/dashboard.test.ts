import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient } from '../support/adminClient.ts';
import { hasChromium, launchChromium } from '../support/browser.ts';
import { openDashboard, screenshot, seriousAxeViolations } from '../support/dashboardPage.ts';
import { startReceiver } from '../support/receiver.ts';
import { startFlow } from '../support/runFlow.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

let browser: Browser;
let server: TestServer;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  if (!hasChromium) return;
  [server, receiver, browser] = await Promise.all([
    startTestServer(),
    startReceiver(() => 204),
    launchChromium(),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await receiver?.close();
});

/** The flow over the partner API, to completion, as a partner backend runs it. */
async function completedFlow(options: Parameters<typeof startFlow>[2]) {
  const flow = await startFlow(server.url, await server.token(), options);
  const finished = await flow.client.pollUntilFinished(flow.id);
  expect(finished.status).toBe('COMPLETED');
  return flow.id;
}

async function onScreen(locator: Locator) {
  const box = await locator.boundingBox();
  if (!box) throw new Error('not displayed');
  return box;
}

describe.skipIf(!hasChromium)('the dashboard', () => {
  it('lists a flow driven over the API as it happens, without a reload, and finds it by referenceId', async () => {
    const { page, foreignRequests, errors, serverErrors, eventStreams } = await openDashboard(
      browser,
      server.url,
      '#/submissions',
    );
    await page.getByRole('heading', { level: 1, name: 'Submissions' }).waitFor();
    // It follows the admin event stream rather than polling.
    await expect.poll(() => eventStreams.some((s) => s.startsWith('200 text/event-stream'))).toBe(true);

    const id = await completedFlow({ referenceId: 'loan-ui-list', callbackUrl: receiver.url });
    const row = page.locator(`[data-testid="submission-row"][data-id="${id}"]`);
    await row.getByText('COMPLETED').waitFor({ timeout: 10_000 });
    await expect(row.getByTestId('outcome').textContent()).resolves.toBe('Success');
    expect(await row.textContent()).toContain('loan-ui-list');
    expect(await row.textContent()).toContain('92');

    await completedFlow({ referenceId: 'loan-ui-other' });
    await page.getByText('loan-ui-other').waitFor({ timeout: 10_000 });
    await page.getByLabel('Search by correlationId or referenceId').fill('ui-list');
    await expect.poll(() => page.getByTestId('submission-row').count()).toBe(1);
    await page.getByLabel('Search by correlationId or referenceId').fill('');
    await expect.poll(() => page.getByTestId('submission-row').count()).toBe(2);
    await page.getByLabel('Search by correlationId or referenceId').blur();

    // A few more paths for the picture: forced Review, an inconclusive ERROR, one awaiting its uploads.
    await completedFlow({ scenario: 'review', referenceId: 'loan-ui-review' });
    await completedFlow({ referenceId: 'scenario:no-face-selfie:loan-ui-noface' });
    await startFlow(server.url, await server.token(), { referenceId: 'loan-ui-waiting', confirm: false });
    await expect.poll(() => page.getByTestId('submission-row').count(), { timeout: 10_000 }).toBe(5);

    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'dashboard-submissions');
    expect(foreignRequests).toEqual([]);
    expect(errors).toEqual([]);
    expect(serverErrors).toEqual([]);
  });

  it('shows a submission: both images with face boxes, the score on its bands, and every callback attempt', async () => {
    // callback-fail: every attempt counts as failed, so the whole retry schedule is attempted.
    const id = await completedFlow({ scenario: 'callback-fail', callbackUrl: receiver.url });
    const admin = adminClient(server.url);
    await expect
      .poll(async () => (await admin.call('GET', `/submissions/${id}`)).body.callbacks[0]?.state, {
        timeout: 10_000,
      })
      .toBe('failed');
    const stored = (await admin.call('GET', `/submissions/${id}`)).body;
    const attempts = stored.callbacks[0].attempts.length;
    expect(attempts).toBe(4);

    const { page, foreignRequests, errors, serverErrors } = await openDashboard(
      browser,
      server.url,
      `#/submissions/${id}`,
    );
    await page.getByRole('heading', { level: 2, name: 'Result' }).waitFor();
    for (const side of ['selfie', 'document']) {
      const figure = page.getByTestId(`image-${side}`);
      const photo = figure.getByTestId('face-photo');
      await photo.waitFor();
      await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
      // The overlay lies on the image as displayed, and the box sits where the engine found the face,
      // scaled from the image's pixels to its size on screen.
      const [imageBox, overlayBox, faceBox] = await Promise.all([
        onScreen(photo),
        onScreen(figure.getByTestId('face-overlay')),
        onScreen(figure.getByTestId('face-box')),
      ]);
      expect(overlayBox).toEqual(imageBox);
      const analysis = stored.analysis[side];
      const scale = imageBox.width / analysis.width;
      const { box } = analysis.face;
      // Within the outline's 3 px stroke, which the box on screen includes.
      expect(Math.abs(faceBox.x - (imageBox.x + box.x * scale))).toBeLessThanOrEqual(2);
      expect(Math.abs(faceBox.y - (imageBox.y + box.y * scale))).toBeLessThanOrEqual(2);
      expect(Math.abs(faceBox.width - box.width * scale)).toBeLessThanOrEqual(3.5);
      expect(await figure.textContent()).toContain(`${Math.round(box.width)} × ${Math.round(box.height)} px`);
      // Each landmark the face was aligned on, centred where the engine put it.
      const landmarks = analysis.face.landmarks as Array<{ name: string; x: number; y: number }>;
      expect(landmarks).toHaveLength(5);
      const drawn = figure.getByTestId('landmark');
      expect(await drawn.count()).toBe(landmarks.length);
      for (const [i, point] of landmarks.entries()) {
        const dot = await onScreen(drawn.nth(i));
        expect(Math.abs(dot.x + dot.width / 2 - (imageBox.x + point.x * scale))).toBeLessThanOrEqual(1);
        expect(Math.abs(dot.y + dot.height / 2 - (imageBox.y + point.y * scale))).toBeLessThanOrEqual(1);
      }
    }
    expect(await page.getByRole('meter', { name: /Score/ }).getAttribute('value')).toBe(String(stored.score));
    await page.getByTestId('score-bar').waitFor();
    expect(await page.locator('.score').textContent()).toContain('Success from 80');
    expect(await page.getByTestId('attempt').count()).toBe(attempts);
    const timeline = page.getByTestId('timeline');
    expect(await timeline.locator('[data-kind="callback-attempt"]').count()).toBe(attempts);
    for (const kind of ['created', 'upload', 'confirmed', 'poll', 'completed']) {
      expect(await timeline.locator(`[data-kind="${kind}"]`).count()).toBeGreaterThan(0);
    }

    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'dashboard-submission');
    expect(foreignRequests).toEqual([]);
    expect(errors).toEqual([]);
    expect(serverErrors).toEqual([]);
  });

  it('redelivers a callback with one click: the receiver gets it again and the new attempt is listed', async () => {
    const id = await completedFlow({ callbackUrl: receiver.url });
    const admin = adminClient(server.url);
    await expect
      .poll(async () => (await admin.call('GET', `/submissions/${id}`)).body.callbacks[0]?.state, {
        timeout: 10_000,
      })
      .toBe('delivered');
    const webhookId = (await admin.call('GET', `/submissions/${id}`)).body.callbacks[0].webhookId as string;
    const received = () => receiver.requests.filter((r) => r.headers['webhook-id'] === webhookId).length;
    expect(received()).toBe(1);

    const { page } = await openDashboard(browser, server.url, '#/callbacks');
    const delivery = page.getByRole('region', { name: `Delivery ${webhookId}` });
    await delivery.getByTestId('attempt').first().waitFor();
    expect(await delivery.getByTestId('attempt').count()).toBe(1);
    await delivery.getByRole('button', { name: `Redeliver ${webhookId}` }).click();
    await expect.poll(() => delivery.getByTestId('attempt').count(), { timeout: 10_000 }).toBe(2);
    expect(received()).toBe(2);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('shows each refused request in the journal with the rule it broke', async () => {
    // A request the contract refuses: the document type is not one it knows.
    const token = await server.token();
    const refused = await fetch(`${server.url}/v1/submissions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ documentType: 'LIBRARY_CARD' }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(refused.status).toBe(400);
    const { page } = await openDashboard(browser, server.url, '#/journal');
    await page.getByLabel('Near misses only (refused requests)').check();
    const row = page.getByTestId('journal-row').filter({ hasText: 'POST /v1/submissions' }).first();
    await row.waitFor({ timeout: 10_000 });
    expect(await row.getByTestId('near-miss').textContent()).toMatch(/enum on \/documentType/);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('works from the keyboard: skip to content, a visible focus ring, a submission opened from its row', async () => {
    const id = await completedFlow({ referenceId: 'by-keyboard' });
    const { page } = await openDashboard(browser, server.url, '#/submissions');
    await page.getByText('by-keyboard').waitFor({ timeout: 10_000 });
    const focused = () =>
      page.evaluate(() => {
        const element = document.activeElement as HTMLElement;
        const style = getComputedStyle(element);
        return {
          tag: element.tagName,
          text: element.textContent,
          outline: `${style.outlineStyle} ${style.outlineWidth}`,
        };
      });

    await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ tag: 'BUTTON', text: 'Skip to content', outline: 'solid 3px' });
    await page.keyboard.press('Tab');
    expect(await focused()).toMatchObject({ tag: 'A', text: 'facematch-mock', outline: 'solid 3px' });
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    expect(await focused()).toMatchObject({ tag: 'H1', text: 'Submissions' });
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('type'))).toBe('search');

    await page.getByRole('link', { name: id }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/ui#/submissions/${id}`);
    // A new view starts the keyboard and the screen reader at its heading, as a page load would.
    await expect.poll(async () => (await focused()).tag).toBe('H1');
    expect((await focused()).text).toContain(id);
  });

  it('fits a phone: no page-wide sideways scrolling on the submission page at 375 px', async () => {
    const id = await completedFlow({ callbackUrl: receiver.url });
    const { page } = await openDashboard(browser, server.url, `#/submissions/${id}`, {
      width: 375,
      height: 800,
    });
    await page.getByTestId('image-document').getByTestId('face-box').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });
});
