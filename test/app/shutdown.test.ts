import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { readFixture } from '../../fixtures/index.ts';
import type { components } from '../../src/http/generated/openapi.ts';
import { fetchToken } from '../support/fetchToken.ts';
import { partnerClient } from '../support/partnerClient.ts';
import { startReceiver } from '../support/receiver.ts';
import { freePort, type ServerProcess, startServerProcess } from '../support/serverProcess.ts';
import { createTestApp } from '../support/testApp.ts';
import { DEMO } from '../support/testServer.ts';

type Upload = components['schemas']['PresignedUpload'];

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An upload whose body arrives in two halves, so it can be in flight while the server is told to stop. */
function slowUpload(upload: Upload, bytes: Buffer) {
  let finishBody = () => {};
  const answered = new Promise<{ status: number; etag: string | undefined }>((resolve, reject) => {
    const req = httpRequest(upload.url, {
      method: 'PUT',
      headers: { ...upload.headers, 'content-length': String(bytes.length) },
      signal: AbortSignal.timeout(30_000),
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, etag: res.headers.etag }));
    });
    req.on('error', reject);
    const half = Math.floor(bytes.length / 2);
    req.write(bytes.subarray(0, half));
    req.flushHeaders();
    finishBody = () => req.end(bytes.subarray(half));
  });
  return { answered, finish: () => finishBody() };
}

function writeConfig(dir: string): string {
  const file = join(dir, 'config.json');
  writeFileSync(
    file,
    JSON.stringify({
      partners: [DEMO],
      // The job is still running when SIGTERM arrives; the first failed callback retries only later.
      processing: { delayMs: 1500, concurrency: 2, retryAfterSeconds: 1 },
      callbacks: { retryScheduleMs: [3000], timeoutMs: 10_000 },
      shutdown: { drainSeconds: 30 },
    }),
  );
  return file;
}

function start(configFile: string, dataDir: string, port: number): ServerProcess {
  const server = startServerProcess([
    '--port',
    String(port),
    '--engine',
    'fixture',
    '--config',
    configFile,
    '--data-dir',
    dataDir,
  ]);
  cleanups.push(() => server.kill());
  return server;
}

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('graceful shutdown', () => {
  it('on SIGTERM finishes the in-flight upload, job and callback attempt, exits 0, and a restart delivers the rest exactly once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'facematch-drain-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const dataDir = join(dir, 'data');
    const configFile = writeConfig(dir);

    // A: the first attempt fails, so a retry is pending at SIGTERM. B: its attempt is on the wire.
    const ids: Record<string, string> = {};
    const receiver = await startReceiver((n, received) => {
      const correlationId = JSON.parse(received.rawBody).data.correlationId as string;
      const attemptsBefore = receiver.requests.filter(
        (r) => JSON.parse(r.rawBody).data.correlationId === correlationId,
      ).length;
      if (correlationId === ids.a && attemptsBefore === 0) return 500;
      if (correlationId === ids.b) return { status: 204, delayMs: 1000 };
      void n;
      return 200;
    });
    cleanups.push(() => receiver.close());

    const first = start(configFile, dataDir, await freePort());
    await first.ready();
    const client = partnerClient(first.url, await fetchToken(first.url, DEMO));
    const selfie = await readFixture('success-selfie');
    const document = await readFixture('document');
    const createAndUpload = async () => {
      const created = await client.createSubmission({
        callbackUrl: receiver.url,
        selfieContentType: 'image/png',
      });
      await client.upload(client.uploadFor(created.body, 'SELFIE'), selfie);
      await client.upload(client.uploadFor(created.body, 'DOCUMENT'), document);
      return created.body.correlationId;
    };

    ids.a = await createAndUpload();
    await client.confirm(ids.a);
    await until(async () => {
      const { body } = await client.callbacks(ids.a as string);
      const [delivery] = body.deliveries;
      return delivery?.attempts.length === 1 && delivery.nextAttemptAt ? true : undefined;
    }, 'the first callback of A to fail and schedule a retry');

    ids.b = await createAndUpload();
    expect((await client.confirm(ids.b)).response.status).toBe(202);
    // B's job ends and its callback goes out; the receiver holds the answer for a second.
    await until(
      async () =>
        receiver.requests.some((r) => JSON.parse(r.rawBody).data.correlationId === ids.b) ? true : undefined,
      'the callback of B to be on the wire',
    );

    const c = await client.createSubmission({ callbackUrl: receiver.url, selfieContentType: 'image/png' });
    ids.c = c.body.correlationId;
    await client.upload(client.uploadFor(c.body, 'SELFIE'), selfie);
    const upload = slowUpload(client.uploadFor(c.body, 'DOCUMENT'), document);
    // Let the upload's first half reach the server before the signal.
    await new Promise((resolve) => setTimeout(resolve, 200));

    first.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    upload.finish();
    const uploaded = await upload.answered;
    expect(uploaded.status).toBe(200);
    expect(uploaded.etag).toMatch(/^"[0-9a-f]{32}"$/);

    expect(await first.exited).toBe(0);
    expect(first.output()).toMatch(/drained/);
    // B's callback attempt, on the wire at SIGTERM, completed during the drain; A's retry was left for later.
    const sentBeforeRestart = receiver.requests.map((r) => JSON.parse(r.rawBody).data.correlationId);
    expect(sentBeforeRestart.filter((id) => id === ids.b)).toHaveLength(1);
    expect(sentBeforeRestart.filter((id) => id === ids.a)).toHaveLength(1);

    const second = start(configFile, dataDir, await freePort());
    await second.ready();
    const again = partnerClient(second.url, await fetchToken(second.url, DEMO));
    expect((await again.status(ids.b)).body.status).toBe('COMPLETED');
    expect((await again.confirm(ids.c)).response.status).toBe(202);
    expect((await again.pollUntilFinished(ids.c)).status).toBe('COMPLETED');

    for (const id of [ids.a, ids.b, ids.c] as string[]) {
      await until(async () => {
        const { body } = await again.callbacks(id);
        return body.deliveries.length === 1 && body.deliveries[0]?.state === 'delivered' ? true : undefined;
      }, `the callback of ${id} to be delivered`);
    }
    // Exactly one delivery per submission, each accepted exactly once (B's was not sent again).
    const byWebhookId = new Map<string, string[]>();
    for (const r of receiver.requests) {
      const id = String(r.headers['webhook-id']);
      byWebhookId.set(id, [...(byWebhookId.get(id) ?? []), JSON.parse(r.rawBody).data.correlationId]);
    }
    expect(byWebhookId.size).toBe(3);
    expect(receiver.requests.filter((r) => JSON.parse(r.rawBody).data.correlationId === ids.b)).toHaveLength(
      1,
    );
    expect(receiver.requests.filter((r) => JSON.parse(r.rawBody).data.correlationId === ids.a)).toHaveLength(
      2,
    );

    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });

  it('in memory mode, a SIGTERM lets a confirmed submission whose delay ends within the drain time finish and call back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'facematch-drain-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const configFile = join(dir, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        partners: [DEMO],
        processing: { delayMs: 2000, concurrency: 2, retryAfterSeconds: 1 },
        shutdown: { drainSeconds: 10 },
      }),
    );
    const receiver = await startReceiver(() => 204);
    cleanups.push(() => receiver.close());
    const port = await freePort();
    const server = startServerProcess([
      '--port',
      String(port),
      '--engine',
      'fixture',
      '--config',
      configFile,
    ]);
    cleanups.push(() => server.kill());
    await server.ready();
    const client = partnerClient(server.url, await fetchToken(server.url, DEMO));
    const created = await client.createSubmission({
      callbackUrl: receiver.url,
      selfieContentType: 'image/png',
    });
    await client.upload(client.uploadFor(created.body, 'SELFIE'), await readFixture('success-selfie'));
    await client.upload(client.uploadFor(created.body, 'DOCUMENT'), await readFixture('document'));
    expect((await client.confirm(created.body.correlationId)).response.status).toBe(202);

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.output()).toMatch(/drained/);
    // Scored during the drain (its delay ended 2 s into a 10 s drain) and called back before the exit.
    expect(receiver.requests.map((r) => JSON.parse(r.rawBody).data)).toEqual([
      { correlationId: created.body.correlationId, referenceId: null, status: 'COMPLETED' },
    ]);
  });

  it('exits at once on a second signal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'facematch-drain-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const server = start(writeConfig(dir), join(dir, 'data'), await freePort());
    await server.ready();
    const client = partnerClient(server.url, await fetchToken(server.url, DEMO));
    const created = await client.createSubmission({});
    const upload = slowUpload(client.uploadFor(created.body, 'SELFIE'), await readFixture('document'));
    // Cut by the forced exit: how it fails does not matter here.
    const cut = upload.answered.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 200));
    server.child.kill('SIGTERM');
    await until(async () => (/SIGTERM: not accepting/.test(server.output()) ? true : undefined), 'the drain');
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(143);
    expect(server.output()).toMatch(/SIGTERM again: exiting now/);
    await cut;
  });

  it('/readyz answers 503 draining once a drain began', async () => {
    const t = await createTestApp();
    cleanups.push(() => t.composed.close());
    expect((await supertest(t.app).get('/readyz')).status).toBe(200);
    await t.composed.drain();
    const res = await supertest(t.app).get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: 'draining' });
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
  });
});
