import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFixture } from '../../fixtures/index.ts';
import type { components } from '../../src/admin/generated/admin.ts';
import { adminClient } from '../support/adminClient.ts';
import { startReceiver } from '../support/receiver.ts';
import { startFlow } from '../support/runFlow.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

type TimelineEvent = components['schemas']['TimelineEvent'];
type Of<K extends TimelineEvent['kind']> = Extract<TimelineEvent, { kind: K }>;

const REFUSAL = JSON.stringify({ error: 'bad signature', hint: 'check the whsec_ secret' });

let server: TestServer;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  server = await startTestServer();
  // First attempt refused with a JSON explanation, the retry accepted with a long page.
  receiver = await startReceiver((n) =>
    n === 0 ? { status: 401, body: REFUSAL } : { status: 200, body: 'ok '.repeat(1000) },
  );
});
afterAll(async () => {
  await server?.stop();
  await receiver?.close();
});

async function timeline(correlationId: string) {
  const { response, body } = await adminClient(server.url).call(
    'GET',
    `/submissions/${correlationId}/timeline`,
  );
  expect(response.status).toBe(200);
  return body as components['schemas']['SubmissionTimeline'];
}

describe('GET /__admin/submissions/{id}/timeline', () => {
  it('lists created, uploads, a refused request, confirm, polls, completion and each callback attempt, in order', async () => {
    const flow = await startFlow(server.url, await server.token(), {
      callbackUrl: receiver.url,
      confirm: false,
    });
    // A tampered upload URL: refused by the bucket, and the timeline says why.
    const upload = flow.client.uploadFor(flow.created.body, 'SELFIE');
    const tampered = await flow.client.upload(
      { ...upload, url: upload.url.replace('Signature=', 'Signature=x') },
      await readFixture('success-selfie'),
    );
    expect(tampered.status).toBe(403);
    await flow.client.confirm(flow.id);
    await flow.client.pollUntilFinished(flow.id);
    await receiver.waitForRequests(2);
    await server.composed.idle();

    const { correlationId, partnerId, events } = await timeline(flow.id);
    expect({ correlationId, partnerId }).toEqual({ correlationId: flow.id, partnerId: 'demo' });
    const times = events.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const kinds = events.map((e) => e.kind);
    const first = (kind: TimelineEvent['kind']) => kinds.indexOf(kind);
    const last = (kind: TimelineEvent['kind']) => kinds.lastIndexOf(kind);
    expect(first('created')).toBe(0);
    expect(kinds.filter((k) => k === 'upload')).toHaveLength(2);
    expect(last('upload')).toBeLessThan(first('confirmed'));
    expect(last('refused')).toBeLessThan(first('confirmed'));
    expect(first('poll')).toBeGreaterThan(first('confirmed'));
    expect(first('completed')).toBeGreaterThan(first('confirmed'));
    expect(first('callback-attempt')).toBeGreaterThan(first('completed'));

    const uploads = events.filter((e): e is Of<'upload'> => e.kind === 'upload');
    expect(uploads.map(({ imageType, contentType }) => [imageType, contentType]).sort()).toEqual([
      ['DOCUMENT', 'image/jpeg'],
      ['SELFIE', 'image/png'],
    ]);
    expect(uploads.find((u) => u.imageType === 'SELFIE')?.size).toBe(
      (await readFixture('success-selfie')).length,
    );
    const refused = events.find((e): e is Of<'refused'> => e.kind === 'refused');
    expect(refused).toMatchObject({
      method: 'PUT',
      httpStatus: 403,
      nearMiss: { rule: 'SignatureDoesNotMatch' },
    });
    expect(refused?.path).not.toContain('Signature=x');
    expect(events.filter((e) => e.kind === 'poll').every((e) => (e as Of<'poll'>).httpStatus === 200)).toBe(
      true,
    );
    expect(events.find((e) => e.kind === 'completed')).toMatchObject({
      status: 'COMPLETED',
      outcome: 'Success',
      score: 92,
    });

    const attempts = events.filter((e): e is Of<'callback-attempt'> => e.kind === 'callback-attempt');
    expect(attempts.map((a) => [a.attempt, a.ok, a.response.statusCode])).toEqual([
      [1, false, 401],
      [2, true, 200],
    ]);
    const [refusedAttempt, accepted] = attempts as [Of<'callback-attempt'>, Of<'callback-attempt'>];
    const [firstSeen, secondSeen] = receiver.requests.filter((r) => r.rawBody.includes(flow.id));
    // The request is what the receiver got, headers included; the answer is what it said.
    expect(refusedAttempt.request).toMatchObject({
      method: 'POST',
      url: receiver.url,
      body: firstSeen?.rawBody,
    });
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature', 'user-agent']) {
      expect(refusedAttempt.request.headers?.[name], name).toBe(firstSeen?.headers[name]);
      expect(accepted.request.headers?.[name], name).toBe(secondSeen?.headers[name]);
    }
    expect(refusedAttempt.response).toEqual({
      statusCode: 401,
      bodyExcerpt: REFUSAL,
      bodyTruncated: false,
      error: expect.stringMatching(/401/),
    });
    expect(accepted.response).toMatchObject({ statusCode: 200, bodyTruncated: true, error: null });
    expect(accepted.response.bodyExcerpt).toHaveLength(2048);
    expect(accepted.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('places journal requests by the partner clock, so an advanced clock does not put polls before confirm', async () => {
    const admin = adminClient(server.url);
    const flow = await startFlow(server.url, await server.token(), { confirm: false });
    // Business time jumps ten minutes ahead of the wall clock the journal stamps `at` with.
    expect((await admin.advanceClock('demo', 600)).response.status).toBe(200);
    try {
      await flow.client.confirm(flow.id);
      await flow.client.pollUntilFinished(flow.id);
      await server.composed.idle();
      const { events } = await timeline(flow.id);
      const kinds = events.map((e) => e.kind);
      expect(kinds.indexOf('poll')).toBeGreaterThan(kinds.indexOf('confirmed'));
      const journal = await admin.journal({ correlationId: flow.id, pathPrefix: '/v1/submissions' });
      const poll = journal.entries.find((e) => e.path.endsWith('/status'));
      if (!poll?.businessAt) throw new Error('the poll has no business time');
      const lead = Date.parse(poll.businessAt) - Date.parse(poll.at);
      expect(lead).toBeGreaterThanOrEqual(600_000);
      expect(lead).toBeLessThan(660_000);
    } finally {
      await admin.resetClock('demo');
    }
  });

  it('answers an unknown submission with a 404 problem', async () => {
    const { response, body } = await adminClient(server.url).call('GET', '/submissions/no-such-id/timeline');
    expect(response.status).toBe(404);
    expect(body.code).toBe('submission-not-found');
  });
});
