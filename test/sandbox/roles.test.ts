import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient } from '../support/adminClient.ts';
import { createTestDatabase, postgresUnavailable, type TestDatabase } from '../support/postgres.ts';
import { startFlow } from '../support/runFlow.ts';
import { TEST_ADMIN_TOKEN } from '../support/storeVariants.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

const unavailable = await postgresUnavailable();

/** `--role api` answers and enqueues, `--role worker` does the work and answers only its health and metrics. */
describe.skipIf(unavailable !== null)(
  `roles over one database${unavailable ? ` (${unavailable})` : ''}`,
  () => {
    let database: TestDatabase;
    let api: TestServer;
    let worker: TestServer;
    const instance = (role: 'api' | 'worker') =>
      startTestServer({
        store: { databaseUrl: database.url, poolSize: 4, takeoverSeconds: 10, pollIntervalMs: 50 },
        admin: { token: TEST_ADMIN_TOKEN, journalSize: 1000 },
        // One issuer, as one load balancer's URL would give them.
        tokens: { audience: 'facematch-api', issuer: 'http://sandbox.test' },
        role,
      });
    beforeAll(async () => {
      database = await createTestDatabase('roles');
      api = await instance('api');
      worker = await instance('worker');
    });
    afterAll(async () => {
      await api?.stop();
      await worker?.stop();
      await database?.drop();
    });

    it('an api instance takes the flow; the worker scores it and the api answers the result', async () => {
      const flow = await startFlow(api.url, await api.token());
      expect((await flow.client.pollUntilFinished(flow.id)).status).toBe('COMPLETED');
      expect((await flow.client.details(flow.id)).body.result).toMatchObject({
        score: 92,
        outcome: 'Success',
      });
    });

    it('without a worker running, a confirmed submission waits PROCESSING (nothing on the api instance scores it)', async () => {
      await worker.stop();
      const flow = await startFlow(api.url, await api.token());
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await flow.client.status(flow.id)).body.status).toBe('PROCESSING');
      worker = await instance('worker');
      expect((await flow.client.pollUntilFinished(flow.id)).status).toBe('COMPLETED');
    });

    it('a worker answers /healthz, /readyz and /metrics (operator token) only, and says where the API is', async () => {
      const get = (path: string, headers: Record<string, string> = {}) =>
        fetch(`${worker.url}${path}`, { headers, signal: AbortSignal.timeout(5000) });
      expect((await get('/healthz')).status).toBe(200);
      const ready = await get('/readyz');
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ok', store: 'postgres', role: 'worker' });
      expect((await get('/metrics')).status).toBe(401);
      const metrics = await get('/metrics', { authorization: `Bearer ${TEST_ADMIN_TOKEN}` });
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(/^# HELP/m);
      const api = await get('/v1/submissions/abc/status');
      expect(api.status).toBe(404);
      expect(api.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect((await api.json()).detail).toMatch(/--role worker.*api instances/);
      expect((await adminClient(worker.url, TEST_ADMIN_TOKEN).call('GET', '/partners')).response.status).toBe(
        404,
      );
    });
  },
);
