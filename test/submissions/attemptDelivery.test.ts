import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckCallbackTarget } from '../../src/callbacks/checkCallbackTarget.ts';
import { completionEvent } from '../../src/callbacks/completionEvent.ts';
import { newWebhookId } from '../../src/callbacks/webhookId.ts';
import {
  type CallbackDeliveryRecord,
  type DeliveryAttempt,
  openDelivery,
} from '../../src/domain/CallbackDelivery.ts';
import { DEFAULT_THRESHOLDS } from '../../src/domain/outcome.ts';
import { IMAGE_ROLES } from '../../src/domain/Submission.ts';
import { openSubmission, recordScore } from '../../src/domain/submissionLifecycle.ts';
import { createDirectoryStore } from '../../src/store/directory/createDirectoryStore.ts';
import { createMemoryStore } from '../../src/store/memory/createMemoryStore.ts';
import type { SandboxStore, StoreOptions } from '../../src/store/SandboxStore.ts';
import { attemptDelivery } from '../../src/submissions/attemptDelivery.ts';
import { createPartnerClocks } from '../../src/time/PartnerClocks.ts';
import { callbackTargets } from '../support/callbackTargets.ts';
import { closedPortUrl, type Reply, startReceiver, webhookHeadersOf } from '../support/receiver.ts';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
/** Longest any one wait in these tests may take: a hang fails the test instead of the run. */
const WAIT_MS = 15_000;

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function bounded<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function until(condition: () => Promise<boolean>, what: string) {
  const deadline = Date.now() + WAIT_MS;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${WAIT_MS} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function receiver(reply: (n: number) => Reply) {
  const r = await startReceiver(reply);
  cleanups.push(() => r.close());
  return {
    ...r,
    waitForRequests: (count: number) => bounded(r.waitForRequests(count), `${count} request(s) at ${r.url}`),
  };
}

async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'facematch-deliveries-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

interface Setup {
  /** A directory store on this folder (reopening it is a restart); a memory store when absent. */
  dataDir?: string;
  retryScheduleMs: number[];
  timeoutMs?: number;
  webhookSecretFor?: (partnerId: string) => string | undefined;
  /** How far this process's wall clock is ahead of the real one (a process started later). */
  wallAheadMs?: number;
  /** The callback policy and resolver; by default a server's on 127.0.0.1 with the system resolver. */
  checkTarget?: CheckCallbackTarget;
}

/**
 * A store and the delivery job on it, as the composition root wires them: the store's work queue
 * hands due deliveries to attemptDelivery; nothing is scored (no handler needed for it here).
 */
async function deliveries(setup: Setup) {
  const wallNow = () => Date.now() + (setup.wallAheadMs ?? 0);
  const options: StoreOptions = {
    retention: { imageSeconds: 3600, submissionSeconds: 86_400 },
    journalCapacity: 10,
    initialClock: 'real',
    now: () => new Date(wallNow()),
  };
  const store = setup.dataDir
    ? await createDirectoryStore(setup.dataDir, { ...options, warn: () => undefined })
    : await createMemoryStore(options);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await bounded(store.close(), 'the store to close');
  };
  cleanups.push(close);
  const deps = {
    store,
    clocks: createPartnerClocks({ clocks: store.clocks, work: store.work, wallNow, warn: () => undefined }),
    webhookSecretFor:
      setup.webhookSecretFor ?? ((partnerId: string) => (partnerId === 'demo' ? SECRET : undefined)),
    callbacks: {
      retryScheduleMs: setup.retryScheduleMs,
      timeoutMs: setup.timeoutMs ?? 5000,
      checkTarget: setup.checkTarget ?? callbackTargets(),
    },
  };
  const recorded: DeliveryAttempt[] = [];
  return {
    store,
    recorded,
    close,
    start: () =>
      store.work.start(
        {
          process: async () => {},
          deliver: (webhookId, signal) =>
            attemptDelivery(deps, webhookId, signal, (attempt) => recorded.push(attempt)),
        },
        { processConcurrency: 1, deliverConcurrency: 4 },
      ),
    idle: () => bounded(store.work.idle(), 'every delivery to finish'),
    get: async (id: string) => {
      const record = await store.deliveries.get(id);
      if (!record) throw new Error(`delivery ${id} is not in the store`);
      return record;
    },
  };
}

/**
 * A delivery made the way the flow makes one: a submission created, both images uploaded,
 * confirmed, then finished together with its completion delivery in one step.
 */
async function finishedWithDelivery(
  store: SandboxStore,
  url: string,
  partnerId = 'demo',
): Promise<CallbackDeliveryRecord> {
  const correlationId = randomUUID();
  const now = new Date();
  await store.submissions.create(
    openSubmission(
      {
        correlationId,
        partnerId,
        referenceId: 'loan-42',
        documentType: 'KTP',
        callbackUrl: url,
        contentTypes: { SELFIE: 'image/png', DOCUMENT: 'image/jpeg' },
      },
      now,
    ),
  );
  for (const role of IMAGE_ROLES) {
    const bytes = Buffer.from(`${role} of ${correlationId}`);
    const etag = `"${createHash('md5').update(bytes).digest('hex')}"`;
    expect(
      await store.submissions.putImage(correlationId, role, { bytes, contentType: 'image/png', etag }),
    ).toBe('stored');
  }
  const confirmed = await store.submissions.confirm(correlationId, partnerId, now, null);
  if (confirmed.kind !== 'started') throw new Error(`confirm answered ${confirmed.kind}`);
  const finished = recordScore(
    confirmed.submission,
    { score: 92, reasons: [], selfie: null, document: null, engine: 'test' },
    DEFAULT_THRESHOLDS,
    now,
  );
  const delivery = openDelivery({
    id: newWebhookId(),
    correlationId,
    partnerId,
    url,
    body: JSON.stringify(completionEvent({ ...finished, at: now })),
    at: now,
  });
  expect((await store.submissions.finish(finished, delivery)).kind).toBe('finished');
  return delivery;
}

describe('attemptDelivery, run by the store’s work queue', () => {
  it('retries a receiver that answers 500 twice, then records one delivery with three attempts', async () => {
    const r = await receiver((n) => (n < 2 ? 500 : 200));
    const d = await deliveries({ retryScheduleMs: [5, 5, 5, 5] });
    await d.start();
    const created = await finishedWithDelivery(d.store, r.url);
    expect(created.id).toMatch(/^msg_[A-Za-z0-9_-]+$/);
    await d.idle();

    const [record, ...others] = await d.store.deliveries.list({ correlationId: created.correlationId });
    expect(others).toEqual([]);
    expect(record).toMatchObject({ id: created.id, state: 'delivered', url: r.url, partnerId: 'demo' });
    expect(record?.nextAttemptAt).toBeUndefined();
    expect(record?.attempts.map((a) => [a.ok, a.statusCode])).toEqual([
      [false, 500],
      [false, 500],
      [true, 200],
    ]);
    expect(d.recorded.map((a) => a.statusCode)).toEqual([500, 500, 200]);

    // Exactly three requests reached the partner, all the same event under the same webhook-id,
    // each independently verifiable.
    expect(r.requests).toHaveLength(3);
    const verifier = new Webhook(SECRET);
    for (const received of r.requests) {
      const headers = webhookHeadersOf(received);
      expect(headers['webhook-id']).toBe(created.id);
      expect(received.rawBody).toBe(created.body);
      expect(verifier.verify(received.rawBody, headers)).toEqual(JSON.parse(created.body));
    }
  });

  it('gives up as failed once the schedule is exhausted, recording every attempt', async () => {
    const r = await receiver(() => 503);
    const d = await deliveries({ retryScheduleMs: [1, 1] });
    await d.start();
    const created = await finishedWithDelivery(d.store, r.url);
    await d.idle();

    const record = await d.get(created.id);
    expect(record.state).toBe('failed');
    expect(record.failureReason).toMatch(/gave up after 3 attempts/);
    expect(record.attempts.map((a) => a.statusCode)).toEqual([503, 503, 503]);
    expect(r.requests).toHaveLength(3);
  });

  it('records a timeout as a failed attempt and retries it', async () => {
    const r = await receiver((n) => (n === 0 ? 'hang' : 200));
    const d = await deliveries({ retryScheduleMs: [5], timeoutMs: 1000 });
    await d.start();
    const created = await finishedWithDelivery(d.store, r.url);
    await d.idle();

    const record = await d.get(created.id);
    expect(record.state).toBe('delivered');
    expect(record.attempts[0]).toMatchObject({ ok: false });
    expect(record.attempts[0]?.statusCode).toBeUndefined();
    expect(record.attempts[0]?.error).toMatch(/timed out after 1000 ms/);
    expect(record.attempts[1]).toMatchObject({ ok: true, statusCode: 200 });
  });

  it('records a refused connection on every attempt, then fails', async () => {
    const d = await deliveries({ retryScheduleMs: [1] });
    await d.start();
    const created = await finishedWithDelivery(d.store, await closedPortUrl());
    await d.idle();

    const record = await d.get(created.id);
    expect(record.state).toBe('failed');
    expect(record.attempts).toHaveLength(2);
    for (const attempt of record.attempts) expect(attempt.error).toMatch(/ECONNREFUSED/);
  });

  it('treats a redirect as a failure and never calls the redirect target', async () => {
    const r = await receiver(() => ({ status: 301, headers: { location: '/moved' } }));
    const d = await deliveries({ retryScheduleMs: [1] });
    await d.start();
    const created = await finishedWithDelivery(d.store, r.url);
    await d.idle();

    const record = await d.get(created.id);
    expect(record.state).toBe('failed');
    expect(record.attempts.map((a) => a.statusCode)).toEqual([301, 301]);
    expect(record.attempts[0]?.error).toMatch(/redirects are not followed/);
    expect(r.requests).toHaveLength(2);
    expect(r.requests.every((q) => q.path === '/callbacks')).toBe(true);
  });

  it.each([
    [
      'malformed',
      () => 'secret123',
      /\(Webhook secret does not start with "whsec_"; expected "whsec_" followed by/,
    ],
    ['missing', () => undefined, /\(the partner no longer exists\)/],
  ])(
    'fails a delivery whose webhook secret is %s, saying what is wrong, and sends nothing',
    async (_, secretFor, why) => {
      const r = await receiver(() => 200);
      const d = await deliveries({ retryScheduleMs: [1], webhookSecretFor: secretFor });
      await d.start();
      const created = await finishedWithDelivery(d.store, r.url);
      await d.idle();

      const record = await d.get(created.id);
      expect(record).toMatchObject({ state: 'failed', attempts: [] });
      expect(record.nextAttemptAt).toBeUndefined();
      expect(record.failureReason).toMatch(/^cannot sign: no usable webhook secret for partner demo /);
      expect(record.failureReason).toMatch(why);
      expect(r.requests).toHaveLength(0);
      expect(d.recorded).toEqual([]);
    },
  );
});

describe('attemptDelivery across a restart (directory store)', () => {
  it('resumes a delivery whose attempt was cut short by shutdown', async () => {
    const dataDir = await tempDir();
    const r = await receiver((n) => (n === 0 ? 'hang' : 200));

    const before = await deliveries({ dataDir, retryScheduleMs: [5], timeoutMs: 30_000 });
    await before.start();
    const created = await finishedWithDelivery(before.store, r.url);
    await r.waitForRequests(1);
    await before.close();
    // Our own shutdown is not the receiver's failure: nothing was recorded.
    expect(before.recorded).toEqual([]);

    const after = await deliveries({ dataDir, retryScheduleMs: [5] });
    expect(await after.get(created.id)).toMatchObject({
      id: created.id,
      state: 'pending',
      attempts: [],
      nextAttemptAt: created.nextAttemptAt,
    });
    await after.start();
    await after.idle();

    const record = await after.get(created.id);
    expect(record).toMatchObject({ id: created.id, state: 'delivered' });
    expect(record.attempts).toHaveLength(1);
    expect(after.recorded).toHaveLength(1);
    expect(r.requests.map((q) => q.headers['webhook-id'])).toEqual([created.id, created.id]);
    const last = r.requests[1];
    if (!last) throw new Error('the resumed attempt never arrived');
    expect(() => new Webhook(SECRET).verify(last.rawBody, webhookHeadersOf(last))).not.toThrow();
  });

  it('resumes a delivery that was waiting for its next retry', async () => {
    const dataDir = await tempDir();
    const r = await receiver((n) => (n === 0 ? 500 : 200));

    // A long retry delay keeps the delivery pending when the first process stops.
    const before = await deliveries({ dataDir, retryScheduleMs: [60_000] });
    await before.start();
    const created = await finishedWithDelivery(before.store, r.url);
    await until(async () => (await before.get(created.id)).attempts.length === 1, 'the first attempt');
    await before.close();

    // The next process starts after the retry fell due (its wall clock is a minute ahead).
    const after = await deliveries({ dataDir, retryScheduleMs: [60_000], wallAheadMs: 61_000 });
    const waiting = await after.get(created.id);
    expect(waiting.state).toBe('pending');
    expect(Date.parse(waiting.nextAttemptAt ?? '')).toBeGreaterThan(Date.now());
    await after.start();
    await after.idle();

    const record = await after.get(created.id);
    expect(record).toMatchObject({ id: created.id, state: 'delivered' });
    expect(record.attempts.map((a) => a.statusCode)).toEqual([500, 200]);
    expect(new Set(r.requests.map((q) => q.headers['webhook-id']))).toEqual(new Set([created.id]));
  });

  it('marks a resumed delivery failed when its partner no longer has a secret', async () => {
    const dataDir = await tempDir();
    const r = await receiver(() => 200);
    const before = await deliveries({ dataDir, retryScheduleMs: [1] });
    // Left pending by a process that never ran it (no work started).
    const created = await finishedWithDelivery(before.store, r.url, 'gone');
    await before.close();

    const after = await deliveries({ dataDir, retryScheduleMs: [1] });
    await after.start();
    await after.idle();
    const record = await after.get(created.id);
    expect(record).toMatchObject({ state: 'failed', attempts: [] });
    expect(record.failureReason).toMatch(
      /no usable webhook secret for partner gone \(the partner no longer exists\)/,
    );
    expect(r.requests).toHaveLength(0);
  });
});

describe('attemptDelivery through a drain (graceful shutdown)', () => {
  it('lets an attempt on the wire finish and be recorded, and leaves a due-later retry pending in the store', async () => {
    // One receiver is slow (its attempt is in flight when the drain begins), the other fails once.
    const slow = await receiver(() => ({ status: 200, delayMs: 300 }));
    const failing = await receiver(() => 503);
    const dataDir = await tempDir();
    const d = await deliveries({ dataDir, retryScheduleMs: [60_000] });
    await d.start();

    const retried = await finishedWithDelivery(d.store, failing.url);
    await until(async () => (await d.get(retried.id)).nextAttemptAt !== retried.nextAttemptAt, 'the retry');
    const inFlight = await finishedWithDelivery(d.store, slow.url);
    await slow.waitForRequests(1);

    // Bounded well below the retry's minute: the drain must not wait for it.
    await bounded(d.store.work.drain(), 'the drain');
    expect((await d.get(inFlight.id)).state).toBe('delivered');
    expect(await d.get(retried.id)).toMatchObject({
      state: 'pending',
      attempts: [expect.objectContaining({ statusCode: 503 })],
    });
    expect((await d.store.deliveries.list({ state: 'pending' })).map((r) => r.id)).toEqual([retried.id]);
    expect(await d.store.work.pending('demo')).toBe(1);
    expect(failing.requests).toHaveLength(1);
    await d.close();

    // Pending in the store, not only in the drained process: the next start has it to run.
    const next = await deliveries({ dataDir, retryScheduleMs: [60_000] });
    expect(await next.get(retried.id)).toMatchObject({ state: 'pending', attempts: [{ statusCode: 503 }] });
    expect(await next.store.work.pending('demo')).toBe(1);
  });
});

describe('attemptDelivery under the callback policy', () => {
  /** A name whose answers change between lookups, as a rebinding attacker's DNS does. */
  function rebinding(answers: string[]) {
    const calls: string[] = [];
    const resolveHost = async (host: string) => {
      calls.push(host);
      const address = answers[Math.min(calls.length - 1, answers.length - 1)] as string;
      return [{ address, family: 4 as const }];
    };
    return { calls, resolveHost };
  }

  it('connects to the address it checked, resolving the name once per attempt', async () => {
    const r = await receiver(() => 200);
    const port = new URL(r.url).port;
    // Second lookup: an address nothing answers on. A connection that looked the name up again
    // would go there and time out; the checked one goes to the receiver.
    const dns = rebinding(['127.0.0.1', '10.255.255.1']);
    const d = await deliveries({
      retryScheduleMs: [],
      timeoutMs: 2000,
      checkTarget: callbackTargets({ mode: 'allow-private', resolveHost: dns.resolveHost }),
    });
    await d.start();
    const created = await finishedWithDelivery(d.store, `http://receiver.test:${port}/callbacks`);
    await d.idle();

    const record = await d.get(created.id);
    expect(record.attempts.map((a) => [a.ok, a.statusCode])).toEqual([[true, 200]]);
    expect(dns.calls).toEqual(['receiver.test']);
    // The name, not the address, is what the receiver is told it was called as.
    expect(r.requests[0]?.headers.host).toBe(`receiver.test:${port}`);
  });

  it('records an address the policy refuses as a failed attempt without connecting, and does not retry it', async () => {
    const r = await receiver(() => 200);
    const port = new URL(r.url).port;
    const dns = rebinding(['127.0.0.1']);
    const d = await deliveries({
      retryScheduleMs: [1, 1, 1],
      checkTarget: callbackTargets({ listenHost: '0.0.0.0', resolveHost: dns.resolveHost }),
    });
    await d.start();
    const created = await finishedWithDelivery(d.store, `http://receiver.test:${port}/callbacks`);
    await d.idle();

    const record = await d.get(created.id);
    expect(record.state).toBe('failed');
    expect(record.nextAttemptAt).toBeUndefined();
    expect(record.attempts).toHaveLength(1);
    expect(record.attempts[0]).toMatchObject({ ok: false });
    expect(record.attempts[0]?.statusCode).toBeUndefined();
    expect(record.attempts[0]?.error).toMatch(
      /^refused by the callback policy, no connection made: receiver\.test resolves to 127\.0\.0\.1, a loopback address: allowed only while the server listens on loopback/,
    );
    expect(record.failureReason).toMatch(/^not retried: refused by the callback policy/);
    expect(d.recorded).toHaveLength(1);
    expect(r.requests).toHaveLength(0);
  });

  it('refuses the metadata address even for a partner default URL no submission check saw', async () => {
    const d = await deliveries({
      retryScheduleMs: [1],
      checkTarget: callbackTargets({ mode: 'allow-private' }),
    });
    await d.start();
    const created = await finishedWithDelivery(d.store, 'http://169.254.169.254/latest/meta-data/');
    await d.idle();
    const record = await d.get(created.id);
    expect(record.state).toBe('failed');
    expect(record.attempts.map((a) => a.error)).toEqual([
      expect.stringMatching(/169\.254\.169\.254 is a link-local address.*never go there/),
    ]);
  });

  it('records a name that does not resolve as a failed attempt, retried on the schedule', async () => {
    const d = await deliveries({
      retryScheduleMs: [1],
      checkTarget: callbackTargets({
        resolveHost: async (host) => {
          throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
        },
      }),
    });
    await d.start();
    const created = await finishedWithDelivery(d.store, 'http://gone.test/callbacks');
    await d.idle();
    const record = await d.get(created.id);
    expect(record.state).toBe('failed');
    expect(record.failureReason).toMatch(/gave up after 2 attempts/);
    expect(record.attempts.map((a) => a.error)).toEqual([
      expect.stringMatching(/host name not found \(DNS\) \(ENOTFOUND\): gone\.test/),
      expect.stringMatching(/host name not found \(DNS\)/),
    ]);
  });
});
