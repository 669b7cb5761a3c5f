import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient } from '../support/adminClient.ts';
import { startReceiver } from '../support/receiver.ts';
import { startFlow } from '../support/runFlow.ts';
import { DEMO_2, startTestServer, type TestServer } from '../support/testServer.ts';

let server: TestServer;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  server = await startTestServer({
    callbacks: { retryScheduleMs: [60_000], timeoutMs: 2000, policy: 'auto', allowHosts: [] },
  });
  receiver = await startReceiver(() => 500);
});
afterAll(async () => {
  await server?.stop();
  await receiver?.close();
});

describe('admin reset', () => {
  it("a partner reset empties that partner only, as its partner API shows; the other partner's work is untouched", async () => {
    const admin = adminClient(server.url);
    const demo = await startFlow(server.url, await server.token(), { callbackUrl: receiver.url });
    const other = await startFlow(server.url, await server.token(DEMO_2), { callbackUrl: receiver.url });
    await demo.client.pollUntilFinished(demo.id);
    await other.client.pollUntilFinished(other.id);
    await admin.queueScenario('demo', 'review', 3);
    await admin.advanceClock('demo', 10);
    // demo's callback is failing and waiting for its next retry (a minute later).
    expect((await demo.client.callbacks(demo.id)).body.deliveries[0]?.state).toBe('pending');

    const reset = await admin.call('POST', '/partners/demo/reset');
    expect(reset.response.status).toBe(200);
    expect(reset.body).toEqual({ partner: 'demo', removed: { submissions: 1 } });
    expect((await admin.journal({ partner: 'demo' })).entries).toEqual([]);
    expect((await admin.journal({ partner: 'demo-2' })).entries.length).toBeGreaterThan(0);

    // Through the partner API: demo's submission is gone exactly like an unknown one; demo-2's is there.
    const gone = await demo.client.details(demo.id);
    expect(gone.response.status).toBe(404);
    expect((gone.body as unknown as { code: string }).code).toBe('submission-not-found');
    expect((await other.client.details(other.id)).body.status).toBe('COMPLETED');
    expect((await other.client.callbacks(other.id)).body.deliveries).toHaveLength(1);

    // demo's queue and clock are fresh; its stopped retry never fires.
    expect((await admin.call('GET', '/partners/demo/scenario-queue')).body.queue).toEqual([]);
    expect((await admin.call('GET', '/partners/demo/clock')).body).toMatchObject({
      offsetMs: 0,
      frozen: false,
    });
    const before = receiver.requests.length;
    await admin.advanceClock('demo', 120);
    expect(receiver.requests.filter((r) => r.rawBody.includes(demo.id))).toHaveLength(
      receiver.requests.slice(0, before).filter((r) => r.rawBody.includes(demo.id)).length,
    );
    await admin.resetClock('demo');
  });

  it('a full reset empties everything and unknown partners are a 404', async () => {
    const admin = adminClient(server.url);
    await startFlow(server.url, await server.token(DEMO_2));
    const reset = await admin.call('POST', '/reset');
    expect(reset.response.status).toBe(200);
    expect(reset.body.removed.submissions).toBeGreaterThanOrEqual(1);
    expect((await admin.call('GET', '/submissions')).body.submissions).toEqual([]);
    expect((await admin.call('POST', '/partners/nobody/reset')).response.status).toBe(404);
  });
});
