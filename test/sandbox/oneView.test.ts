import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFixture } from '../../fixtures/index.ts';
import { adminClient } from '../support/adminClient.ts';
import { openEventStream } from '../support/eventStream.ts';
import { partnerClient } from '../support/partnerClient.ts';
import { createTestDatabase, postgresUnavailable, type TestDatabase } from '../support/postgres.ts';
import { startReceiver } from '../support/receiver.ts';
import { startFlow } from '../support/runFlow.ts';
import { TEST_ADMIN_TOKEN } from '../support/storeVariants.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

const unavailable = await postgresUnavailable();

/**
 * Two instances over one database: what a partner or an operator does through one is what the
 * other shows, the admin API, journal, clocks, scenario queue and live events included.
 */
describe.skipIf(unavailable !== null)(
  `one sandbox seen from any instance${unavailable ? ` (${unavailable})` : ''}`,
  () => {
    let database: TestDatabase;
    let a: TestServer;
    let b: TestServer;
    beforeAll(async () => {
      database = await createTestDatabase('one_view');
      const shared = {
        store: { databaseUrl: database.url, poolSize: 5, takeoverSeconds: 10, pollIntervalMs: 50 },
        admin: { token: TEST_ADMIN_TOKEN, journalSize: 5000 },
        // Behind one load balancer instances share the public URL, which names the token issuer; here
        // each listens on its own port, so they are given the one issuer they would have behind it.
        tokens: { audience: 'facematch-api', issuer: 'http://sandbox.test' },
      };
      a = await startTestServer(shared);
      b = await startTestServer(shared);
    });
    afterAll(async () => {
      await a?.stop();
      await b?.stop();
      await database?.drop();
    });

    it('a flow on one instance is listed, journalled and streamed by the other', async () => {
      const adminB = adminClient(b.url, TEST_ADMIN_TOKEN);
      const events = await openEventStream(`${b.url}/__admin/events`, {
        authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
      });
      try {
        await events.next((m) => m.event === 'ready', 'the stream to be ready');
        // A token from one instance is good on the other: they share the signing key.
        const client = partnerClient(a.url, await b.token());
        const created = await client.createSubmission({ selfieContentType: 'image/png' });
        const id = created.body.correlationId;
        await client.upload(client.uploadFor(created.body, 'SELFIE'), await readFixture('success-selfie'));
        await client.upload(client.uploadFor(created.body, 'DOCUMENT'), await readFixture('document'));
        expect((await client.confirm(id)).response.status).toBe(202);
        expect((await partnerClient(b.url, await a.token()).pollUntilFinished(id)).status).toBe('COMPLETED');

        const listed = await adminB.call('GET', `/submissions?correlationId=${id}`);
        expect(listed.body.submissions).toHaveLength(1);
        expect(listed.body.submissions[0]).toMatchObject({ status: 'COMPLETED', score: 92 });
        const journal = await adminB.journal({ correlationId: id });
        expect(journal.entries.map((e) => `${e.method} ${e.status}`)).toEqual(
          expect.arrayContaining(['PUT 200', 'POST 202', 'GET 200']),
        );
        await events.next(
          (m) => m.event === 'submission' && m.data.correlationId === id,
          'a submission event from the other instance',
        );
      } finally {
        await events.close();
      }
    });

    it("a partner's clock and scenario queue set through one instance govern the flow on the other", async () => {
      const adminA = adminClient(a.url, TEST_ADMIN_TOKEN);
      expect((await adminA.queueScenario('demo', 'stuck')).response.status).toBe(200);
      const client = partnerClient(b.url, await b.token());
      const created = await client.createSubmission({ selfieContentType: 'image/png' });
      const id = created.body.correlationId;
      expect(created.response.headers.get('facematch-mock-scenario')).toBe('stuck');
      await client.upload(client.uploadFor(created.body, 'SELFIE'), await readFixture('success-selfie'));
      await client.upload(client.uploadFor(created.body, 'DOCUMENT'), await readFixture('document'));
      await client.confirm(id);
      // Stuck whatever the clock says, until advanced, through the other instance.
      const advanced = await adminA.advanceClock('demo', 3600);
      expect(advanced.body.offsetMs).toBeGreaterThanOrEqual(3_600_000);
      expect(
        (await adminClient(b.url, TEST_ADMIN_TOKEN).call('GET', '/partners/demo/clock')).body.offsetMs,
      ).toBe(advanced.body.offsetMs);
      const fresh = partnerClient(b.url, await b.token());
      expect((await fresh.status(id)).body.status).toBe('PROCESSING');
      const done = await adminA.advanceSubmission(id);
      expect(done.body.status).toBe('COMPLETED');
      expect((await fresh.status(id)).body.status).toBe('COMPLETED');
      await adminA.resetClock('demo');
    });

    it('a redelivery asked of one instance is sent, with the same webhook-id, whoever runs it', async () => {
      const receiver = await startReceiver(() => 204);
      try {
        const flow = await startFlow(a.url, await a.token(), { callbackUrl: receiver.url });
        await receiver.waitForRequests(1);
        const [delivery] = (
          await adminClient(a.url, TEST_ADMIN_TOKEN).call('GET', `/callbacks?correlationId=${flow.id}`)
        ).body.deliveries;
        const redelivered = await adminClient(b.url, TEST_ADMIN_TOKEN).call(
          'POST',
          `/callbacks/${delivery.webhookId}/redeliver`,
        );
        expect(redelivered.response.status).toBe(202);
        await receiver.waitForRequests(2);
        expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([
          delivery.webhookId,
          delivery.webhookId,
        ]);
      } finally {
        await receiver.close();
      }
    });

    it('readiness names the shared store on both', async () => {
      for (const server of [a, b]) {
        const ready = await fetch(`${server.url}/readyz`, { signal: AbortSignal.timeout(5000) });
        expect(ready.status).toBe(200);
        expect(await ready.json()).toMatchObject({ status: 'ok', store: 'postgres', role: 'all' });
      }
    });
  },
);
