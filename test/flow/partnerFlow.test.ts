import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureName, readFixture } from '../../fixtures/index.ts';
import { partnerClient } from '../support/partnerClient.ts';
import { startReceiver } from '../support/receiver.ts';
import { DEMO, startTestServer, type TestServer } from '../support/testServer.ts';

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

const cases: Array<{
  selfie: FixtureName;
  document: FixtureName;
  score: number;
  outcome: string;
  reason?: string;
}> = [
  { selfie: 'success-selfie', document: 'document', score: 92, outcome: 'Success' },
  { selfie: 'review-selfie', document: 'document', score: 74, outcome: 'Review' },
  { selfie: 'fail-selfie', document: 'document', score: 41, outcome: 'Fail' },
  { selfie: 'no-face-selfie', document: 'document', score: 0, outcome: 'ERROR', reason: 'NO_FACE_SELFIE' },
];

describe('the whole partner flow over a real port, with a real callback receiver', () => {
  it.each(cases)('$selfie → score $score, $outcome', async ({ selfie, document, score, outcome, reason }) => {
    const client = partnerClient(server.url, await server.token());
    const referenceId = `ref-${selfie}`;
    const created = await client.createSubmission({
      referenceId,
      documentType: 'PASSPORT',
      callbackUrl: receiver.url,
      selfieContentType: 'image/png',
    });
    expect(created.response.status).toBe(201);
    expect(created.body.status).toBe('AWAITING_UPLOAD');
    const id = created.body.correlationId;

    for (const [type, name] of [
      ['SELFIE', selfie],
      ['DOCUMENT', document],
    ] as const) {
      const put = await client.upload(client.uploadFor(created.body, type), await readFixture(name));
      expect(put.status).toBe(200);
      expect(put.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    }

    const confirmed = await client.confirm(id);
    expect(confirmed.response.status).toBe(202);
    expect(confirmed.response.headers.get('location')).toBe(`/v1/submissions/${id}/status`);
    expect(confirmed.response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(confirmed.body.status).toBe('PROCESSING');

    const finished = await client.pollUntilFinished(id);
    expect(finished.status).toBe('COMPLETED');

    // The callback: thin, signed per Standard Webhooks, checked by an independent verifier.
    const before = receiver.requests.length;
    await waitFor(() => receiver.requests.some((r) => r.rawBody.includes(id)));
    const callback = receiver.requests.find((r) => r.rawBody.includes(id));
    expect(before).toBeGreaterThanOrEqual(0);
    const event = new Webhook(DEMO.webhookSecret).verify(
      callback?.rawBody ?? '',
      callback?.headers as Record<string, string>,
    );
    expect(event).toEqual({
      type: 'submission.completed',
      timestamp: expect.any(String),
      data: { correlationId: id, referenceId, status: 'COMPLETED' },
    });

    const details = await client.details(id);
    expect(details.response.status).toBe(200);
    expect(details.body).toMatchObject({
      correlationId: id,
      referenceId,
      documentType: 'PASSPORT',
      status: 'COMPLETED',
    });
    expect(details.body.result).toMatchObject({ score, outcome, thresholds: { success: 80, review: 70 } });
    if (reason) expect(details.body.result?.reasons.map((r) => r.code)).toContain(reason);
  });

  it('reports an upload that is not an image as ERROR / UNREADABLE_IMAGE, and the server carries on', async () => {
    const client = partnerClient(server.url, await server.token());
    const created = await client.createSubmission({ callbackUrl: receiver.url });
    await client.upload(
      client.uploadFor(created.body, 'SELFIE'),
      Buffer.from('%PDF-1.7 definitely not a photo'),
    );
    await client.upload(client.uploadFor(created.body, 'DOCUMENT'), await readFixture('document'));
    await client.confirm(created.body.correlationId);
    await client.pollUntilFinished(created.body.correlationId);
    const { body } = await client.details(created.body.correlationId);
    expect(body.result).toMatchObject({ score: 0, outcome: 'ERROR' });
    expect(body.result?.reasons).toContainEqual(
      expect.objectContaining({ code: 'UNREADABLE_IMAGE', image: 'SELFIE' }),
    );
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
