import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFixture } from '../../fixtures/index.ts';
import {
  CallbackVerificationError,
  createFaceMatchClient,
  FaceMatchApiError,
  FaceMatchTimeoutError,
  verifyCallback,
} from '../../src/client/index.ts';
import { startReceiver, webhookHeadersOf } from '../support/receiver.ts';
import { DEMO, startTestServer, type TestServer } from '../support/testServer.ts';

let server: TestServer;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let images: { selfie: Buffer; document: Buffer };
/**
 * A client over the real fetch that also lists each request it made, to see what it did on the wire.
 * One list per client, so tests can run side by side.
 */
function client(requested: string[] = []) {
  return createFaceMatchClient({
    baseUrl: server.url,
    clientId: DEMO.clientId,
    clientSecret: DEMO.clientSecret,
    timeoutMs: 5000,
    fetch: (input, init) => {
      requested.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
      return fetch(input, init);
    },
  });
}

beforeAll(async () => {
  server = await startTestServer();
  receiver = await startReceiver(() => 204);
  images = { selfie: await readFixture('success-selfie'), document: await readFixture('document') };
});
afterAll(async () => {
  await server?.stop();
  await receiver?.close();
});

describe.concurrent('the partner client through every outcome', () => {
  it.each([
    ['success', 'COMPLETED', 'Success'],
    ['review', 'COMPLETED', 'Review'],
    ['fail', 'COMPLETED', 'Fail'],
    ['error', 'COMPLETED', 'ERROR'],
    ['failed', 'FAILED', 'ERROR'],
  ] as const)(
    'scenario %s ends %s with outcome %s, and its callback verifies',
    async (scenario, status, outcome) => {
      const details = await client().matchFaces(images, {
        scenario,
        referenceId: `client-${scenario}`,
        callbackUrl: receiver.url,
        selfieContentType: 'image/png',
        poll: { timeoutMs: 20_000 },
      });
      expect(details.status).toBe(status);
      expect(details.result?.outcome).toBe(outcome);
      if (outcome === 'ERROR') expect(details.result?.score).toBe(0);

      const delivered = await waitForCallback(details.correlationId);
      const event = verifyCallback(delivered, { secret: DEMO.webhookSecret });
      expect(event).toMatchObject({
        type: 'submission.completed',
        data: { correlationId: details.correlationId, referenceId: `client-${scenario}`, status },
      });
      // The independent implementation agrees with ours on the very same delivery.
      new Webhook(DEMO.webhookSecret).verify(delivered.rawBody, webhookHeadersOf(delivered));
    },
  );
});

describe.concurrent('the partner client survives what production does', () => {
  it.each([
    ['upload-url-expired', 'POST /v1/submissions/{id}/uploads'],
    ['upload-503', 'PUT /bucket/uploads/{id}/SELFIE'],
    ['confirm-429', 'POST /v1/submissions/{id}/confirm'],
    ['token-expired', 'POST /v1/oauth/token'],
    ['connection-reset', 'GET /v1/submissions/{id}/status'],
    ['slow', 'GET /v1/submissions/{id}/status'],
  ])('scenario %s: the flow still completes, repeating %s', async (scenario, repeated) => {
    const requested: string[] = [];
    const c = client(requested);
    await c.token();
    requested.length = 0;
    const details = await c.matchFaces(images, {
      scenario,
      selfieContentType: 'image/png',
      callbackUrl: receiver.url,
      poll: { timeoutMs: 20_000 },
    });
    expect(details.status).toBe('COMPLETED');
    const normalised = requested.map((r) => r.replaceAll(details.correlationId, '{id}'));
    // The fault made the client do this step (once more than a clean run does).
    const clean = scenario === 'upload-url-expired' || scenario === 'token-expired' ? 0 : 1;
    expect(normalised.filter((r) => r === repeated).length).toBeGreaterThan(clean);
  });

  it('gives up at the poll deadline with the last status', async () => {
    const c = client();
    const submission = await c.createSubmission({ selfieContentType: 'image/png' }, { scenario: 'stuck' });
    await c.uploadImages(submission, images);
    await c.confirm(submission.correlationId);
    const error = await c.waitForCompletion(submission.correlationId, { timeoutMs: 300 }).catch((e) => e);
    expect(error).toBeInstanceOf(FaceMatchTimeoutError);
    expect(error.message).toContain('still PROCESSING');
  });

  it('reports a problem by its code: confirm before upload is 409 uploads-missing', async () => {
    const c = client();
    const submission = await c.createSubmission();
    const error = await c.confirm(submission.correlationId).catch((e) => e);
    expect(error).toBeInstanceOf(FaceMatchApiError);
    expect(error).toMatchObject({ status: 409, problem: { code: 'uploads-missing' } });
  });

  it('reports wrong credentials as invalid-client, without retrying them', async () => {
    const bad = createFaceMatchClient({ baseUrl: server.url, clientId: 'demo', clientSecret: 'wrong' });
    const error = await bad.createSubmission().catch((e) => e);
    expect(error).toMatchObject({
      status: 401,
      operation: 'issueToken',
      problem: { code: 'invalid-client' },
    });
  });

  it('reuses one token for many calls', async () => {
    const requested: string[] = [];
    const c = client(requested);
    await c.createSubmission();
    await c.createSubmission();
    await c.token();
    expect(requested.filter((r) => r === 'POST /v1/oauth/token')).toHaveLength(1);
  });
});

describe('verifyCallback refuses what it must', () => {
  let delivered: Awaited<ReturnType<typeof waitForCallback>>;
  beforeAll(async () => {
    const details = await client().matchFaces(images, {
      scenario: 'success',
      callbackUrl: receiver.url,
      poll: { timeoutMs: 20_000 },
    });
    delivered = await waitForCallback(details.correlationId);
  });

  function refusal(fn: () => unknown) {
    try {
      fn();
    } catch (error) {
      return error;
    }
    throw new Error('accepted');
  }

  it('a tampered body', () => {
    const tampered = { ...delivered, rawBody: delivered.rawBody.replace('COMPLETED', 'FAILED') };
    expect(refusal(() => verifyCallback(tampered, { secret: DEMO.webhookSecret }))).toMatchObject({
      reason: 'bad-signature',
    });
    expect(() =>
      new Webhook(DEMO.webhookSecret).verify(tampered.rawBody, webhookHeadersOf(tampered)),
    ).toThrow();
  });

  it('a stale delivery (replayed ten minutes later)', () => {
    const later = Date.now() + 10 * 60_000;
    const error = refusal(() => verifyCallback(delivered, { secret: DEMO.webhookSecret, now: later }));
    expect(error).toBeInstanceOf(CallbackVerificationError);
    expect(error).toMatchObject({ reason: 'stale-timestamp' });
  });

  it('another partner’s secret, and a missing header', () => {
    const other = 'whsec_ZGVtbzItd2ViaG9vay1zZWNyZXQtOTg3NjU0MzIx';
    expect(refusal(() => verifyCallback(delivered, { secret: other }))).toMatchObject({
      reason: 'bad-signature',
    });
    const { 'webhook-signature': _, ...headers } = webhookHeadersOf(delivered);
    expect(
      refusal(() => verifyCallback({ headers, rawBody: delivered.rawBody }, { secret: DEMO.webhookSecret })),
    ).toMatchObject({
      reason: 'missing-header',
    });
  });
});

async function waitForCallback(correlationId: string) {
  for (;;) {
    const found = receiver.requests.find((r) => r.rawBody.includes(correlationId));
    if (found) return found;
    await receiver.waitForRequests(receiver.requests.length + 1);
  }
}
