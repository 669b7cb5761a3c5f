import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFixture } from '../../fixtures/index.ts';
import { adminClient } from '../support/adminClient.ts';
import { partnerClient } from '../support/partnerClient.ts';
import { storeVariants } from '../support/storeVariants.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

/**
 * Races a partner (or a Pact verifier) can start with two requests at once. Each transition must be
 * one step that the other request cannot split, on every store.
 */
describe.each(await storeVariants())('$name store: transitions are atomic', (variant) => {
  let server: TestServer;
  let cleanup: () => Promise<void>;
  let adminToken: string | undefined;
  beforeAll(async () => {
    const opened = await variant.open();
    cleanup = opened.cleanup;
    adminToken = opened.adminToken;
    server = await startTestServer(opened.overrides);
  });
  afterAll(async () => {
    await server?.stop();
    await cleanup?.();
  });

  it('a re-upload racing a confirm is either scored or refused, never accepted and then failed', async () => {
    const client = partnerClient(server.url, await server.token());
    const [selfie, document, other] = await Promise.all([
      readFixture('success-selfie'),
      readFixture('document'),
      readFixture('review-selfie'),
    ]);
    const outcomes: string[] = [];
    for (let trial = 0; trial < 20; trial++) {
      const created = await client.createSubmission({ selfieContentType: 'image/png' });
      const id = created.body.correlationId;
      const selfieUpload = client.uploadFor(created.body, 'SELFIE');
      await client.upload(selfieUpload, selfie);
      await client.upload(client.uploadFor(created.body, 'DOCUMENT'), document);
      const [reupload, confirmed] = await Promise.all([
        client.upload(selfieUpload, other),
        client.confirm(id),
      ]);
      expect(confirmed.response.status).toBe(202);
      const finished = await client.pollUntilFinished(id);
      const details = await client.details(id);
      const expected = reupload.status === 200 ? 74 : 92;
      outcomes.push(`${reupload.status} → ${finished.status} ${details.body.result?.score}`);
      // Accepted means scored: the PUT's 200 came before the confirm took its ETags.
      expect([200, 403]).toContain(reupload.status);
      expect({ status: finished.status, score: details.body.result?.score }).toEqual({
        status: 'COMPLETED',
        score: expected,
      });
    }
    expect(outcomes).toHaveLength(20);
  });

  it('provider states set up while the partner is being reset all answer 200', async () => {
    const admin = adminClient(server.url, adminToken);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? admin.call('POST', '/provider-states?clientId=demo', {
              state: 'a completed submission',
              params: { outcome: 'Success' },
            })
          : admin.call('POST', '/partners/demo/reset'),
      ),
    );
    const failures = answers.filter((a) => a.response.status !== 200).map((a) => a.body);
    expect(failures).toEqual([]);
  });
});
