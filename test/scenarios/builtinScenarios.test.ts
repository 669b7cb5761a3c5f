import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarioCatalogue } from '../../src/scenarios/ScenarioCatalogue.ts';
import { adminClient } from '../support/adminClient.ts';
import { partnerClient } from '../support/partnerClient.ts';
import { startReceiver, webhookHeadersOf } from '../support/receiver.ts';
import { startFlow } from '../support/runFlow.ts';
import { DEMO, startTestServer, type TestServer } from '../support/testServer.ts';
import { waitFor } from '../support/waitFor.ts';

/**
 * One test per built-in scenario: the real flow over HTTP, asserting only what
 * a partner sees (statuses, polls, callbacks received and verified, details).
 */
let server: TestServer;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let token: string;

beforeAll(async () => {
  server = await startTestServer();
  receiver = await startReceiver(() => 200);
  token = await server.token();
});
afterAll(async () => {
  await server?.stop();
  await receiver?.close();
});

const webhook = new Webhook(DEMO.webhookSecret);
const callbacksFor = (id: string) => receiver.requests.filter((r) => r.rawBody.includes(id));

async function completedFlow(scenario: string, selfie: 'success-selfie' | 'fail-selfie' = 'fail-selfie') {
  const flow = await startFlow(server.url, token, { scenario, callbackUrl: receiver.url, selfie });
  expect(flow.created.response.headers.get('preference-applied')).toBe(`scenario=${scenario}`);
  expect(flow.created.response.headers.get('facematch-mock-scenario')).toBe(scenario);
  expect(flow.confirmed?.response.status).toBe(202);
  const finished = await flow.client.pollUntilFinished(flow.id);
  const details = await flow.client.details(flow.id);
  // Partner bodies stay production-shaped: no trace of the mock's scenario.
  expect(JSON.stringify(details.body)).not.toMatch(/scenario/i);
  return { ...flow, finished, details: details.body };
}

describe('outcome scenarios (a scenario beats the fixture image: fail-selfie is uploaded every time)', () => {
  it.each([
    ['success', 'Success', 80, 100],
    ['review', 'Review', 70, 79],
    ['fail', 'Fail', 1, 69],
  ] as const)('%s → %s, the score inside its band', async (scenario, outcome, min, max) => {
    const { details, id } = await completedFlow(scenario);
    expect(details.status).toBe('COMPLETED');
    expect(details.result?.outcome).toBe(outcome);
    expect(details.result?.score).toBeGreaterThanOrEqual(min);
    expect(details.result?.score).toBeLessThanOrEqual(max);
    await waitFor(() => callbacksFor(id).length === 1, 'the completion callback');
  });

  it.each([
    ['error', 'UNREADABLE_IMAGE', 'DOCUMENT'],
    ['no-face-selfie', 'NO_FACE_SELFIE', 'SELFIE'],
    ['no-face-document', 'NO_FACE_DOCUMENT', 'DOCUMENT'],
    ['multiple-faces', 'MULTIPLE_FACES', 'SELFIE'],
  ] as const)('%s → score 0, ERROR (inconclusive, never Fail), reason %s', async (scenario, code, image) => {
    const { details } = await completedFlow(scenario, 'success-selfie');
    expect(details.status).toBe('COMPLETED');
    expect(details.result).toMatchObject({ score: 0, outcome: 'ERROR' });
    expect(details.result?.reasons).toEqual([expect.objectContaining({ code, image })]);
  });

  it('low-quality-document → Review with LOW_QUALITY_DOCUMENT', async () => {
    const { details } = await completedFlow('low-quality-document', 'success-selfie');
    expect(details.result?.outcome).toBe('Review');
    expect(details.result?.reasons).toEqual([
      expect.objectContaining({ code: 'LOW_QUALITY_DOCUMENT', image: 'DOCUMENT' }),
    ]);
  });

  it('failed → status FAILED, score 0, ERROR, ENGINE_ERROR; the callback says FAILED', async () => {
    const { details, finished, id } = await completedFlow('failed', 'success-selfie');
    expect(finished.status).toBe('FAILED');
    expect(details.result).toMatchObject({ score: 0, outcome: 'ERROR' });
    expect(details.result?.reasons[0]?.code).toBe('ENGINE_ERROR');
    await waitFor(() => callbacksFor(id).length === 1, 'the completion callback');
    const [callback] = callbacksFor(id);
    const event = webhook.verify(callback?.rawBody ?? '', webhookHeadersOf(callback as never)) as {
      data: { status: string };
    };
    expect(event.data.status).toBe('FAILED');
    // Asked for, so not a crash: one info line naming the submission, no error, no stack.
    const log = server.log.join('');
    expect(log).toContain(`scoring ${id}: failed on purpose`);
    expect(log).not.toMatch(new RegExp(`^error: scoring ${id}`, 'm'));
    expect(log).not.toContain('ScenarioEngineFailure');
  });
});

describe('timing scenarios (on the partner clock, never on sleeps)', () => {
  it('slow: several polls see PROCESSING before the result', async () => {
    const flow = await startFlow(server.url, token, { scenario: 'slow' });
    const seen: string[] = [];
    for (let i = 0; i < 50; i++) {
      const { response, body } = await flow.client.status(flow.id);
      seen.push(body.status);
      if (body.status === 'PROCESSING') expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      if (body.status === 'COMPLETED') break;
    }
    expect(seen.filter((s) => s === 'PROCESSING').length).toBeGreaterThanOrEqual(3);
    expect(seen.at(-1)).toBe('COMPLETED');
  });

  it('slow: or it ends 30 s after confirm on the partner clock, without polls', async () => {
    const admin = adminClient(server.url);
    const flow = await startFlow(server.url, token, { scenario: 'slow' });
    try {
      await admin.advanceClock('demo', 31);
      expect((await flow.client.status(flow.id)).body.status).toBe('COMPLETED');
    } finally {
      await admin.resetClock('demo');
    }
  });

  it('stuck: PROCESSING whatever the clock says, until advanced through the admin API', async () => {
    const admin = adminClient(server.url);
    const flow = await startFlow(server.url, token, { scenario: 'stuck', callbackUrl: receiver.url });
    try {
      await admin.advanceClock('demo', 86_400);
      // A day later the old token has expired too, as it would in production.
      expect((await flow.client.status(flow.id)).response.status).toBe(401);
      const client = partnerClient(server.url, await server.token());
      for (let i = 0; i < 3; i++) expect((await client.status(flow.id)).body.status).toBe('PROCESSING');
      const advanced = await admin.advanceSubmission(flow.id);
      expect(advanced.response.status).toBe(200);
      expect(advanced.body.status).toBe('COMPLETED');
      expect((await client.status(flow.id)).body.status).toBe('COMPLETED');
      await waitFor(() => callbacksFor(flow.id).length === 1, 'the completion callback');
      // Advancing a finished submission is refused, not repeated.
      expect((await admin.advanceSubmission(flow.id)).response.status).toBe(409);
    } finally {
      await admin.resetClock('demo');
    }
  });
});

describe('callback scenarios', () => {
  it('callback-fail: every attempt fails, the whole retry schedule runs on the clock, then it gives up', async () => {
    // Production-like retry delays (1 s … 10 min), run through in milliseconds by advancing demo-2's clock.
    const slow = await startTestServer({
      callbacks: {
        retryScheduleMs: [1000, 5000, 30_000, 120_000, 600_000],
        timeoutMs: 2000,
        policy: 'auto',
        allowHosts: [],
      },
    });
    try {
      const admin = adminClient(slow.url);
      const partner = { clientId: 'demo-2', clientSecret: 'demo-2-secret' };
      const flow = await startFlow(slow.url, await slow.token(partner), {
        scenario: 'callback-fail',
        callbackUrl: receiver.url,
      });
      await flow.client.pollUntilFinished(flow.id);
      await waitFor(() => callbacksFor(flow.id).length === 1, 'the first attempt');
      await admin.advanceClock('demo-2', 3600);
      const received = callbacksFor(flow.id);
      expect(received).toHaveLength(6);
      expect(new Set(received.map((r) => r.headers['webhook-id'])).size).toBe(1);
      const client = partnerClient(slow.url, await slow.token(partner));
      const [delivery] = (await client.callbacks(flow.id)).body.deliveries;
      expect(delivery?.state).toBe('failed');
      expect(delivery?.attempts.map((a) => a.statusCode)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(
        delivery?.attempts.every((a) => !a.ok && /counted as failed by the scenario/.test(a.error ?? '')),
      ).toBe(true);
      // Each attempt is stamped with the business time it fell due at: the schedule's gaps.
      const at = delivery?.attempts.map((a) => Date.parse(a.at)) ?? [];
      const gaps = at.slice(1).map((t, i) => Math.round((t - (at[i] as number)) / 1000));
      expect(gaps).toEqual([1, 5, 30, 120, 600]);
    } finally {
      await slow.stop();
    }
  });

  it('callback-none: no callback at all; the partner finds the result by polling', async () => {
    const { id, client } = await completedFlow('callback-none');
    await server.composed.idle();
    expect(callbacksFor(id)).toHaveLength(0);
    expect((await client.callbacks(id)).body.deliveries).toEqual([]);
  });

  it('callback-duplicate: the same webhook-id arrives twice, both validly signed', async () => {
    const { id, client } = await completedFlow('callback-duplicate');
    await waitFor(() => callbacksFor(id).length === 2, 'two deliveries');
    const [first, second] = callbacksFor(id);
    expect(first?.headers['webhook-id']).toBe(second?.headers['webhook-id']);
    for (const received of [first, second]) {
      expect(() =>
        webhook.verify(received?.rawBody ?? '', webhookHeadersOf(received as never)),
      ).not.toThrow();
    }
    await server.composed.idle();
    const [delivery] = (await client.callbacks(id)).body.deliveries;
    expect(delivery?.state).toBe('delivered');
    expect(delivery?.attempts).toHaveLength(2);
  });
});

describe('fault scenarios', () => {
  it('token-expired: the first later call sees 401 invalid_token (expired); a fresh token works', async () => {
    const flow = await startFlow(server.url, token, { scenario: 'token-expired', confirm: false });
    const refused = await flow.client.confirm(flow.id);
    expect(refused.response.status).toBe(401);
    expect(refused.body).toMatchObject({ code: 'invalid-token' });
    expect(refused.response.headers.get('www-authenticate')).toMatch(/error="invalid_token".*expired/);
    const fresh = (await import('../support/partnerClient.ts')).partnerClient(
      server.url,
      await server.token(),
    );
    expect((await fresh.confirm(flow.id)).response.status).toBe(202);
    expect((await fresh.pollUntilFinished(flow.id)).status).toBe('COMPLETED');
  });

  it('upload-url-expired: the first URLs are already expired; re-issued ones work', async () => {
    const flow = await startFlow(server.url, token, { scenario: 'upload-url-expired', confirm: false });
    for (const put of flow.uploaded) {
      expect(put.status).toBe(403);
      expect(await put.text()).toContain('<Message>Request has expired</Message>');
    }
    const reissued = await flow.client.reissueUploads(flow.id);
    expect(reissued.response.status).toBe(200);
    expect(reissued.response.headers.get('facematch-mock-scenario')).toBe('upload-url-expired');
    const { readFixture } = await import('../../fixtures/index.ts');
    for (const upload of reissued.body.uploads) {
      const bytes = await readFixture(upload.imageType === 'SELFIE' ? 'success-selfie' : 'document');
      expect((await flow.client.upload(upload, bytes)).status).toBe(200);
    }
    expect((await flow.client.confirm(flow.id)).response.status).toBe(202);
    expect((await flow.client.pollUntilFinished(flow.id)).status).toBe('COMPLETED');
  });

  it('upload-503: the bucket answers 503 SlowDown once, then stores the retry', async () => {
    const flow = await startFlow(server.url, token, { scenario: 'upload-503', confirm: false });
    const [first, second] = flow.uploaded;
    expect(first?.status).toBe(503);
    expect(first?.headers.get('content-type')).toMatch(/xml/);
    expect(await first?.text()).toContain('<Code>SlowDown</Code>');
    expect(second?.status).toBe(200);
    const { readFixture } = await import('../../fixtures/index.ts');
    const retry = await flow.client.upload(
      flow.client.uploadFor(flow.created.body, 'SELFIE'),
      await readFixture('success-selfie'),
    );
    expect(retry.status).toBe(200);
    expect((await flow.client.confirm(flow.id)).response.status).toBe(202);
  });

  it('confirm-429: the first confirm gets 429 with Retry-After; the retry is accepted', async () => {
    const flow = await startFlow(server.url, token, { scenario: 'confirm-429' });
    expect(flow.confirmed?.response.status).toBe(429);
    expect(flow.confirmed?.response.headers.get('retry-after')).toBe('2');
    expect(flow.confirmed?.body).toMatchObject({ code: 'rate-limited', status: 429 });
    // The journal says the refusal was the scenario's doing, not a real rule the partner broke.
    const page = await adminClient(server.url).journal({ correlationId: flow.id, nearMissesOnly: true });
    expect(page.entries.map((e) => e.nearMiss?.rule)).toEqual(['scenario:confirm-429']);
    expect((await flow.client.confirm(flow.id)).response.status).toBe(202);
    expect((await flow.client.pollUntilFinished(flow.id)).status).toBe('COMPLETED');
  });

  it('connection-reset: the first status call has its connection reset; the next poll answers', async () => {
    const flow = await startFlow(server.url, token, { scenario: 'connection-reset' });
    const error = await flow.client.status(flow.id).then(
      () => null,
      (e: Error & { cause?: { code?: string } }) => e,
    );
    expect(error?.cause?.code ?? error?.message).toMatch(/ECONNRESET|socket|other side closed/i);
    expect((await flow.client.pollUntilFinished(flow.id)).status).toBe('COMPLETED');
  });

  it("a fault never hits another partner's call: demo-2 sees the same 404 as for an unknown id", async () => {
    const flow = await startFlow(server.url, token, { scenario: 'confirm-429', confirm: false });
    const other = partnerClient(
      server.url,
      await server.token({ clientId: 'demo-2', clientSecret: 'demo-2-secret' }),
    );
    const answer = await other.confirm(flow.id);
    expect(answer.response.status).toBe(404);
    expect(answer.response.headers.get('facematch-mock-scenario')).toBeNull();
    expect((await flow.client.confirm(flow.id)).response.status).toBe(429);
  });
});

it('every built-in scenario has a test above, and the OpenAPI document lists exactly the built-ins', async () => {
  const names = loadScenarioCatalogue().names().sort();
  const { parse } = await import('yaml');
  const { readFileSync } = await import('node:fs');
  const doc = parse(readFileSync(new URL('../../openapi/facematch.yaml', import.meta.url), 'utf8'));
  expect([...doc.components.schemas.ScenarioName.enum].sort()).toEqual(names);
  const tested = readFileSync(new URL(import.meta.url), 'utf8');
  for (const name of names) expect(tested).toContain(`'${name}'`);
});
