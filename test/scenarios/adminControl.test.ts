import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFixture } from '../../fixtures/index.ts';
import { adminClient } from '../support/adminClient.ts';
import { startReceiver, webhookHeadersOf } from '../support/receiver.ts';
import { startFlow } from '../support/runFlow.ts';
import { DEMO, startTestServer, type TestServer } from '../support/testServer.ts';
import { waitFor } from '../support/waitFor.ts';

let server: TestServer;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  server = await startTestServer();
  receiver = await startReceiver(() => 200);
});
afterAll(async () => {
  await server?.stop();
  await receiver?.close();
});

describe('admin control of submissions and callbacks', () => {
  it('shows a submission with its scenario, result, images and every callback attempt', async () => {
    const admin = adminClient(server.url);
    const flow = await startFlow(server.url, await server.token(), {
      referenceId: 'scenario:review:loan-7',
      callbackUrl: receiver.url,
    });
    await flow.client.pollUntilFinished(flow.id);
    await server.composed.idle();
    const { response, body } = await admin.submission(flow.id);
    expect(response.status).toBe(200);
    expect(body).toMatchObject({
      correlationId: flow.id,
      partnerId: 'demo',
      status: 'COMPLETED',
      scenario: { name: 'review', source: 'reference-id' },
      outcome: 'Review',
    });
    expect(body.callbacks).toEqual([expect.objectContaining({ state: 'delivered' })]);
    const selfie = body.images.find((i: { imageType: string }) => i.imageType === 'SELFIE');
    const bytes = await admin.get(selfie.href);
    expect(bytes.status).toBe(200);
    expect(bytes.headers.get('content-type')).toBe('image/png');
    expect(bytes.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await bytes.arrayBuffer()).equals(await readFixture('success-selfie'))).toBe(true);

    const listed = await admin.call('GET', `/submissions?partner=demo&scenario=review`);
    expect(listed.body.submissions.map((s: { correlationId: string }) => s.correlationId)).toContain(flow.id);
    expect((await admin.call('GET', '/submissions/unknown-id')).response.status).toBe(404);
  });

  it('redeliver sends the same webhook-id and body again, signed afresh, and adds an attempt', async () => {
    const admin = adminClient(server.url);
    const flow = await startFlow(server.url, await server.token(), { callbackUrl: receiver.url });
    await flow.client.pollUntilFinished(flow.id);
    await waitFor(() => receiver.requests.some((r) => r.rawBody.includes(flow.id)), 'the first delivery');
    await server.composed.idle();
    const [delivery] = (await admin.call('GET', `/callbacks?correlationId=${flow.id}`)).body.deliveries;
    expect(delivery.attempts).toHaveLength(1);

    const redelivered = await admin.call('POST', `/callbacks/${delivery.webhookId}/redeliver`);
    expect(redelivered.response.status).toBe(202);
    await waitFor(
      () => receiver.requests.filter((r) => r.rawBody.includes(flow.id)).length === 2,
      'the redelivery',
    );
    const [first, second] = receiver.requests.filter((r) => r.rawBody.includes(flow.id));
    expect(second?.headers['webhook-id']).toBe(first?.headers['webhook-id']);
    expect(second?.rawBody).toBe(first?.rawBody);
    expect(() =>
      new Webhook(DEMO.webhookSecret).verify(second?.rawBody ?? '', webhookHeadersOf(second as never)),
    ).not.toThrow();
    await server.composed.idle();
    const [after] = (await admin.call('GET', `/callbacks?correlationId=${flow.id}`)).body.deliveries;
    expect(after).toMatchObject({ state: 'delivered', webhookId: delivery.webhookId });
    expect(after.attempts).toHaveLength(2);
    expect((await admin.call('POST', '/callbacks/msg_unknown/redeliver')).response.status).toBe(404);
  });
});
