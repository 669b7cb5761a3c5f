import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureFile } from '../../fixtures/index.ts';
import { adminClient } from '../support/adminClient.ts';
import { partnerClient } from '../support/partnerClient.ts';
import { startFlow } from '../support/runFlow.ts';
import { DEMO_2, startTestServer, type TestServer } from '../support/testServer.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

describe('a test clock per partner', () => {
  it('expires a token and an upload URL by advancing, and the URL is re-issued', async () => {
    const admin = adminClient(server.url);
    const token = await server.token();
    const flow = await startFlow(server.url, token, { confirm: false });
    try {
      // Tokens live 3600 s (5 s leeway) and upload URLs 900 s (the demo config): 3700 s later both are dead.
      const advanced = await admin.advanceClock('demo', 3700);
      expect(advanced.response.status).toBe(200);
      expect(advanced.body.offsetMs).toBeGreaterThanOrEqual(3_600_000);

      const status = await flow.client.status(flow.id);
      expect(status.response.status).toBe(401);
      expect(status.response.headers.get('www-authenticate')).toMatch(/expired/);

      const fresh = partnerClient(server.url, await server.token());
      const upload = fresh.uploadFor(flow.created.body, 'SELFIE');
      const put = await fresh.upload(upload, await readFile(fixtureFile('success-selfie')));
      expect(put.status).toBe(403);
      expect(await put.text()).toContain('Request has expired');

      const reissued = await fresh.reissueUploads(flow.id, { imageTypes: ['SELFIE'] });
      expect(reissued.response.status).toBe(200);
      expect(reissued.body.uploads.map((u) => u.imageType)).toEqual(['SELFIE']);
      expect(Date.parse(reissued.body.uploads[0]?.expiresAt ?? '')).toBeGreaterThan(Date.now() + 3_600_000);
      const again = await fresh.upload(
        reissued.body.uploads[0] as never,
        await readFile(fixtureFile('success-selfie')),
      );
      expect(again.status).toBe(200);
      expect((await fresh.confirm(flow.id)).response.status).toBe(202);
      // After confirm the images can no longer change: no more URLs.
      const late = await fresh.reissueUploads(flow.id);
      expect(late.response.status).toBe(409);
      expect((late.body as unknown as { code: string }).code).toBe('already-confirmed');
    } finally {
      await admin.resetClock('demo');
    }
  });

  it("re-issue answers 404 for another partner's id, as for an unknown one", async () => {
    const flow = await startFlow(server.url, await server.token(), { confirm: false });
    const other = partnerClient(server.url, await server.token(DEMO_2));
    const answer = await other.reissueUploads(flow.id);
    expect(answer.response.status).toBe(404);
    expect((answer.body as unknown as { code: string }).code).toBe('submission-not-found');
  });

  it('two partners with different clocks and scenarios run at once without disturbing each other', async () => {
    const admin = adminClient(server.url);
    const [demoToken, otherToken] = await Promise.all([server.token(), server.token(DEMO_2)]);
    try {
      await admin.freezeClock('demo');
      const [stuck, slow] = await Promise.all([
        startFlow(server.url, demoToken, { scenario: 'stuck' }),
        startFlow(server.url, otherToken, { scenario: 'slow' }),
      ]);
      // demo-2's clock jumps a minute: its slow submission ends; demo's frozen clock and stuck one do not move.
      const before = (await admin.call('GET', '/partners/demo/clock')).body;
      await admin.advanceClock('demo-2', 60);
      expect((await slow.client.status(slow.id)).body.status).toBe('COMPLETED');
      expect((await stuck.client.status(stuck.id)).body.status).toBe('PROCESSING');
      const after = (await admin.call('GET', '/partners/demo/clock')).body;
      expect(after.frozen).toBe(true);
      expect(after.now).toBe(before.now);
      // demo's token still works: its clock never moved.
      expect((await stuck.client.details(stuck.id)).response.status).toBe(200);
    } finally {
      await admin.resetClock('demo');
      await admin.resetClock('demo-2');
    }
  });

  it('the clock endpoint validates its body and names the field', async () => {
    const admin = adminClient(server.url);
    const bad = await admin.call('POST', '/partners/demo/clock', { advanceSeconds: -5 });
    expect(bad.response.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('/advanceSeconds');
    expect((await admin.call('POST', '/partners/demo/clock', {})).response.status).toBe(400);
    expect((await admin.call('GET', '/partners/nobody/clock')).response.status).toBe(404);
    // freeze: false lets a frozen clock run on from where it stands, keeping its lead over wall time.
    try {
      await admin.freezeClock('demo');
      await admin.advanceClock('demo', 600);
      const resumed = await admin.call('POST', '/partners/demo/clock', { freeze: false });
      expect(resumed.body.frozen).toBe(false);
      expect(resumed.body.offsetMs).toBeGreaterThan(590_000);
    } finally {
      await admin.resetClock('demo');
    }
  });
});

it('--clock frozen starts every partner clock frozen: nothing completes until the clock is advanced', async () => {
  const frozen = await startTestServer({ clock: 'frozen' });
  try {
    const flow = await startFlow(frozen.url, await frozen.token());
    expect(flow.confirmed?.response.status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await flow.client.status(flow.id)).body.status).toBe('PROCESSING');
    await adminClient(frozen.url).advanceClock('demo', 1);
    expect((await flow.client.status(flow.id)).body.status).toBe('COMPLETED');
  } finally {
    await frozen.stop();
  }
});
