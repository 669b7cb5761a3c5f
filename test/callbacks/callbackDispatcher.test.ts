import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallbackLog } from '../../src/callbacks/CallbackLog.ts';
import { type CallbackDispatcher, createCallbackDispatcher } from '../../src/callbacks/callbackDispatcher.ts';
import { completionEvent } from '../../src/callbacks/completionEvent.ts';
import { createDirectoryCallbackLog } from '../../src/callbacks/directoryCallbackLog.ts';
import { createMemoryCallbackLog } from '../../src/callbacks/memoryCallbackLog.ts';
import { createTestClock, type TestClock } from '../../src/time/createTestClock.ts';
import { closedPortUrl, type Reply, startReceiver, webhookHeadersOf } from '../support/receiver.ts';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const secretFor = (partnerId: string) => (partnerId === 'demo' ? secret : undefined);

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function receiver(reply: (n: number) => Reply) {
  const r = await startReceiver(reply);
  cleanups.push(() => r.close());
  return r;
}

function dispatcher(
  log: CallbackLog,
  retrySchedule: number[],
  timeoutMs = 5000,
  clock?: TestClock,
): CallbackDispatcher {
  const d = createCallbackDispatcher({
    retrySchedule,
    timeoutMs,
    log,
    secretFor,
    ...(clock ? { clockFor: () => clock } : {}),
  });
  cleanups.push(() => d.close());
  return d;
}

async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'facematch-callbacks-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function delivery(url: string, correlationId = `corr-${randomBytes(4).toString('hex')}`) {
  return {
    correlationId,
    partnerId: 'demo',
    url,
    secret,
    event: completionEvent({ correlationId, referenceId: 'ref-1', status: 'COMPLETED', at: new Date() }),
  };
}

describe('callback dispatcher', () => {
  it('retries a receiver that answers 500 twice, then records one successful delivery', async () => {
    const r = await receiver((n) => (n < 2 ? 500 : 200));
    const d = dispatcher(createMemoryCallbackLog(), [5, 5, 5, 5]);
    const job = delivery(r.url);

    const created = await d.dispatch(job);
    expect(created.state).toBe('pending');
    expect(created.id).toMatch(/^msg_[A-Za-z0-9_-]+$/);
    await d.idle();

    const [record, ...others] = await d.deliveries(job.correlationId);
    expect(others).toEqual([]);
    expect(record).toMatchObject({ id: created.id, state: 'delivered', url: r.url, partnerId: 'demo' });
    expect(record?.nextAttemptAt).toBeUndefined();
    expect(record?.attempts.map((a) => [a.ok, a.statusCode])).toEqual([
      [false, 500],
      [false, 500],
      [true, 200],
    ]);

    // Exactly three requests reached the partner, all the same event under the
    // same webhook-id, each independently verifiable.
    expect(r.requests).toHaveLength(3);
    const verifier = new Webhook(secret);
    for (const received of r.requests) {
      const headers = webhookHeadersOf(received);
      expect(headers['webhook-id']).toBe(created.id);
      expect(received.rawBody).toBe(JSON.stringify(job.event));
      expect(verifier.verify(received.rawBody, headers)).toEqual(job.event);
    }
  });

  it('gives up as failed once the schedule is exhausted, recording every attempt', async () => {
    const r = await receiver(() => 503);
    const d = dispatcher(createMemoryCallbackLog(), [1, 1]);
    const job = delivery(r.url);
    await d.dispatch(job);
    await d.idle();

    const [record] = await d.deliveries(job.correlationId);
    expect(record?.state).toBe('failed');
    expect(record?.failureReason).toMatch(/gave up after 3 attempts/);
    expect(record?.attempts.map((a) => a.statusCode)).toEqual([503, 503, 503]);
    expect(r.requests).toHaveLength(3);
  });

  it('records a timeout as a failed attempt and retries it', async () => {
    const r = await receiver((n) => (n === 0 ? 'hang' : 200));
    const d = dispatcher(createMemoryCallbackLog(), [5], 1000);
    const job = delivery(r.url);
    await d.dispatch(job);
    await d.idle();

    const [record] = await d.deliveries(job.correlationId);
    expect(record?.state).toBe('delivered');
    expect(record?.attempts[0]).toMatchObject({ ok: false });
    expect(record?.attempts[0]?.error).toMatch(/timed out/);
    expect(record?.attempts[1]).toMatchObject({ ok: true, statusCode: 200 });
  });

  it('records a refused connection on every attempt, then fails', async () => {
    const d = dispatcher(createMemoryCallbackLog(), [1]);
    const job = delivery(await closedPortUrl());
    await d.dispatch(job);
    await d.idle();

    const [record] = await d.deliveries(job.correlationId);
    expect(record?.state).toBe('failed');
    expect(record?.attempts).toHaveLength(2);
    for (const attempt of record?.attempts ?? []) expect(attempt.error).toMatch(/ECONNREFUSED/);
  });

  it('treats a redirect as a failure and never calls the redirect target', async () => {
    const r = await receiver(() => ({ status: 301, headers: { location: '/moved' } }));
    const d = dispatcher(createMemoryCallbackLog(), [1]);
    const job = delivery(r.url);
    await d.dispatch(job);
    await d.idle();

    const [record] = await d.deliveries(job.correlationId);
    expect(record?.state).toBe('failed');
    expect(record?.attempts.map((a) => a.statusCode)).toEqual([301, 301]);
    expect(r.requests.every((q) => q.path === '/callbacks')).toBe(true);
  });

  it('records a delivery with a malformed secret as failed, saying the expected format', async () => {
    const r = await receiver(() => 200);
    const d = dispatcher(createMemoryCallbackLog(), [1]);
    const job = { ...delivery(r.url), secret: 'secret123' };
    const record = await d.dispatch(job);
    await d.idle();
    expect(record.state).toBe('failed');
    expect(record.failureReason).toMatch(/whsec_/);
    expect(r.requests).toHaveLength(0);
  });
});

describe('callback dispatcher across a restart (directory log)', () => {
  it('resumes a delivery whose attempt was cut short by shutdown', async () => {
    const dir = await tempDir();
    const r = await receiver((n) => (n === 0 ? 'hang' : 200));
    const job = delivery(r.url);

    const before = createCallbackDispatcher({
      retrySchedule: [5],
      timeoutMs: 30_000,
      log: createDirectoryCallbackLog(dir),
      secretFor,
    });
    const created = await before.dispatch(job);
    await r.waitForRequests(1);
    await before.close();
    const [stillPending] = await before.deliveries(job.correlationId);
    expect(stillPending).toMatchObject({ id: created.id, state: 'pending', attempts: [] });

    const after = dispatcher(createDirectoryCallbackLog(dir), [5]);
    expect(await after.resumePending()).toBe(1);
    await after.idle();

    const [record] = await after.deliveries(job.correlationId);
    expect(record).toMatchObject({ id: created.id, state: 'delivered' });
    expect(record?.attempts).toHaveLength(1);
    expect(r.requests.map((q) => q.headers['webhook-id'])).toEqual([created.id, created.id]);
    const last = r.requests[1];
    if (!last) throw new Error('the resumed attempt never arrived');
    expect(() => new Webhook(secret).verify(last.rawBody, webhookHeadersOf(last))).not.toThrow();
  });

  it('resumes a delivery that was waiting for its next retry', async () => {
    const dir = await tempDir();
    const r = await receiver((n) => (n === 0 ? 500 : 200));
    const job = delivery(r.url);

    // A long retry delay keeps the delivery pending when the first process stops.
    const before = dispatcher(createDirectoryCallbackLog(dir), [60_000]);
    const created = await before.dispatch(job);
    await r.waitForRequests(1);
    await waitUntil(async () => (await before.deliveries(job.correlationId))[0]?.attempts.length === 1);
    await before.close();
    const [waiting] = await before.deliveries(job.correlationId);
    expect(waiting?.state).toBe('pending');
    expect(waiting?.nextAttemptAt).toBeDefined();

    // The next process starts after the retry fell due (its clock is a minute ahead).
    const later = createTestClock();
    await later.advance(61_000);
    const after = dispatcher(createDirectoryCallbackLog(dir), [60_000], 5000, later);
    expect(await after.resumePending()).toBe(1);
    await after.idle();

    const [record] = await after.deliveries(job.correlationId);
    expect(record).toMatchObject({ id: created.id, state: 'delivered' });
    expect(record?.attempts.map((a) => a.statusCode)).toEqual([500, 200]);
    expect(new Set(r.requests.map((q) => q.headers['webhook-id']))).toEqual(new Set([created.id]));
  });

  it('marks a resumed delivery failed when its partner no longer has a secret', async () => {
    const dir = await tempDir();
    const log = createDirectoryCallbackLog(dir);
    await log.save({
      id: 'msg_orphan',
      correlationId: 'corr-orphan',
      partnerId: 'gone',
      url: 'http://127.0.0.1:9/callbacks',
      body: '{}',
      state: 'pending',
      createdAt: new Date().toISOString(),
      attempts: [],
    });
    const d = dispatcher(createDirectoryCallbackLog(dir), [1]);
    expect(await d.resumePending()).toBe(0);
    const [record] = await d.deliveries('corr-orphan');
    expect(record?.state).toBe('failed');
    expect(record?.failureReason).toMatch(/no usable webhook secret for partner gone/);
  });
});

async function waitUntil(condition: () => Promise<boolean>) {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('callback dispatcher drain (graceful shutdown)', () => {
  it('lets an attempt on the wire finish and be recorded, and leaves a due-later retry pending in the log', async () => {
    // First receiver: slow, the attempt is in flight when the drain begins. Second: fails once.
    const slow = await receiver(() => ({ status: 200, delayMs: 300 }));
    const failing = await receiver(() => 503);
    const log = createDirectoryCallbackLog(await tempDir());
    const d = dispatcher(log, [60_000]);

    const retried = await d.dispatch(delivery(failing.url));
    await failing.waitForRequests(1);
    await expect.poll(async () => (await log.get(retried.id))?.nextAttemptAt).toBeDefined();
    const inFlight = await d.dispatch(delivery(slow.url));
    await slow.waitForRequests(1);

    await d.drain();
    expect((await log.get(inFlight.id))?.state).toBe('delivered');
    const pending = await log.get(retried.id);
    expect(pending).toMatchObject({
      state: 'pending',
      attempts: [expect.objectContaining({ statusCode: 503 })],
    });
    expect(await log.pending()).toEqual([expect.objectContaining({ id: retried.id })]);
  });
});
