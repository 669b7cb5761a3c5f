import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { readFixture } from '../../fixtures/index.ts';
import { adminClient } from '../support/adminClient.ts';
import { partnerClient } from '../support/partnerClient.ts';
import { startReceiver } from '../support/receiver.ts';
import { DEMO, startTestServer, type TestServer } from '../support/testServer.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function uploadAndConfirm(server: TestServer, callbackUrl: string) {
  const client = partnerClient(server.url, await server.token());
  const created = await client.createSubmission({
    callbackUrl,
    referenceId: 'loan-42',
    selfieContentType: 'image/png',
  });
  await client.upload(client.uploadFor(created.body, 'SELFIE'), await readFixture('success-selfie'));
  await client.upload(client.uploadFor(created.body, 'DOCUMENT'), await readFixture('document'));
  const confirmed = await client.confirm(created.body.correlationId);
  expect(confirmed.response.status).toBe(202);
  return { client, id: created.body.correlationId };
}

describe('completion callback', () => {
  it('retries a receiver that answers 500 twice: three attempts recorded, one completion, one webhook-id', async () => {
    const receiver = await startReceiver((n) => (n < 2 ? 500 : 200));
    cleanups.push(() => receiver.close());
    const server = await startTestServer();
    cleanups.push(() => server.stop());

    const { client, id } = await uploadAndConfirm(server, receiver.url);
    await receiver.waitForRequests(3);
    await server.composed.idle();

    const { body } = await client.callbacks(id);
    expect(body.deliveries).toHaveLength(1);
    const [delivery] = body.deliveries;
    expect(delivery?.state).toBe('delivered');
    expect(delivery?.attempts.map((a) => a.statusCode)).toEqual([500, 500, 200]);
    expect(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
    const verifier = new Webhook(DEMO.webhookSecret);
    for (const r of receiver.requests) verifier.verify(r.rawBody, r.headers as Record<string, string>);
    expect(receiver.requests).toHaveLength(3);
  });
});

describe('restart with --data-dir', () => {
  it('resumes a submission that was PROCESSING at shutdown and loses nothing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'facematch-data-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const receiver = await startReceiver(() => 200);
    cleanups.push(() => receiver.close());

    // A long processing delay keeps the job in flight when the first server stops.
    const first = await startTestServer({
      dataDir,
      processing: { delayMs: 60_000, concurrency: 2, retryAfterSeconds: 1 },
    });
    const { id } = await uploadAndConfirm(first, receiver.url);
    expect((await partnerClient(first.url, await first.token()).status(id)).body.status).toBe('PROCESSING');
    await first.stop();

    const second = await startTestServer({ dataDir });
    cleanups.push(() => second.stop());
    expect(second.log.join('')).toMatch(/Resumed 1 submission/);
    // Scoring stays due when it was scheduled (confirm + 60 s on the partner's clock), restart or not.
    const advanced = await adminClient(second.url).advanceClock('demo', 60);
    expect(advanced.response.status).toBe(200);
    const client = partnerClient(second.url, await second.token());
    const finished = await client.pollUntilFinished(id);
    expect(finished.status).toBe('COMPLETED');
    const details = await client.details(id);
    expect(details.body.result).toMatchObject({ score: 92, outcome: 'Success' });
    expect(details.body.referenceId).toBe('loan-42');
    await receiver.waitForRequests(1);
    await second.composed.idle();
    expect(receiver.requests).toHaveLength(1);
    expect(JSON.parse(receiver.requests[0]?.rawBody ?? '{}').data.correlationId).toBe(id);
  });
});
