import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFixture } from '../../fixtures/index.ts';
import { partnerClient } from '../support/partnerClient.ts';
import { createTestDatabase, postgresUnavailable, type TestDatabase } from '../support/postgres.ts';
import { TEST_ADMIN_TOKEN } from '../support/storeVariants.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

const unavailable = await postgresUnavailable();

/**
 * The database goes away under a running sandbox (a failover, a network cut): partners get 503
 * storage-unavailable with Retry-After, never a 500 and never a hang, readiness says so, and the
 * sandbox comes back by itself when the database does, with nothing it had accepted lost.
 */
describe.skipIf(unavailable !== null)(`a lost database${unavailable ? ` (${unavailable})` : ''}`, () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let server: TestServer;
  beforeAll(async () => {
    database = await createTestDatabase('lost');
    const url = new URL(database.url);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.port = String(proxy.port);
    server = await startTestServer({
      store: { databaseUrl: url.toString(), poolSize: 4, takeoverSeconds: 10, pollIntervalMs: 50 },
      admin: { token: TEST_ADMIN_TOKEN, journalSize: 1000 },
    });
  });
  afterAll(async () => {
    proxy?.restore();
    await server?.stop();
    await proxy?.close();
    await database?.drop();
  });

  it('answers 503 storage-unavailable with Retry-After while it is gone, and carries on once it is back', async () => {
    const client = partnerClient(server.url, await server.token());
    const created = await client.createSubmission({ selfieContentType: 'image/png' });
    const id = created.body.correlationId;
    await client.upload(client.uploadFor(created.body, 'SELFIE'), await readFixture('success-selfie'));

    proxy.cut();
    const started = Date.now();
    const status = await client.status(id);
    expect({ status: status.response.status, body: status.body }).toMatchObject({ status: 503 });
    expect(status.response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(status.body).toMatchObject({ code: 'storage-unavailable' });
    const upload = await client.upload(
      client.uploadFor(created.body, 'DOCUMENT'),
      await readFixture('document'),
    );
    expect(upload.status).toBe(503);
    expect(await upload.text()).toMatch(/<Code>ServiceUnavailable<\/Code>/);
    const ready = await fetch(`${server.url}/readyz`, { signal: AbortSignal.timeout(15_000) });
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'unavailable', store: 'postgres' });
    // Bounded by the connect timeout, not a hang: each answer above came within it.
    expect(Date.now() - started).toBeLessThan(60_000);

    proxy.restore();
    const deadline = Date.now() + 20_000;
    while ((await fetch(`${server.url}/readyz`, { signal: AbortSignal.timeout(15_000) })).status !== 200) {
      if (Date.now() > deadline) throw new Error('not ready again 20 s after the database came back');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // What was accepted before the cut is there; the refused upload is simply made again.
    expect((await client.status(id)).body.status).toBe('AWAITING_UPLOAD');
    const again = await client.upload(
      client.uploadFor(created.body, 'DOCUMENT'),
      await readFixture('document'),
    );
    expect(again.status).toBe(200);
    expect((await client.confirm(id)).response.status).toBe(202);
    expect((await client.pollUntilFinished(id)).status).toBe('COMPLETED');
  });
});
