import { createHash } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { afterAttempt } from '../../../src/domain/CallbackDelivery.ts';
import { frozen, movedTo } from '../../../src/domain/clockState.ts';
import type { StateChange } from '../../../src/store/SandboxStore.ts';
import { createTestDatabase, postgresUnavailable, type TestDatabase } from '../../support/postgres.ts';
import { eventually, finishWithDelivery, newSubmission, storeOpener, within } from './postgresStores.ts';

const unavailable = await postgresUnavailable();
if (unavailable) console.warn(unavailable);

/** Whether a session is waiting for an advisory lock (the reset, for the set-up's). */
async function resetWaiting(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    );
    return rows[0]?.n > 0;
  } finally {
    await client.end();
  }
}

const etag = (bytes: Buffer) => `"${createHash('md5').update(bytes).digest('hex')}"`;

describe.skipIf(unavailable !== null)('two PostgreSQL store instances on one database', () => {
  let database: TestDatabase;
  const stores = storeOpener(() => database.url);
  beforeAll(async () => {
    database = await createTestDatabase('shared');
  });
  afterEach(() => stores.stopWork());
  afterAll(async () => {
    await stores.closeAll();
    await database?.drop();
  });

  it('a submission confirmed on one is scored and its callback delivered by the work queue of the other', async () => {
    const front = await stores.open();
    const worker = await stores.open();
    const seen: StateChange[] = [];
    front.changes.subscribe((change) => seen.push(change));
    await worker.work.start(
      {
        async process(correlationId) {
          const submission = await worker.submissions.get(correlationId);
          if (submission?.status !== 'PROCESSING') return;
          await finishWithDelivery(worker, submission, new Date());
        },
        async deliver(webhookId) {
          const record = await worker.deliveries.get(webhookId);
          if (record?.state !== 'pending') return;
          const next = afterAttempt(
            record,
            { at: new Date().toISOString(), durationMs: 3, statusCode: 204, ok: true },
            [1000],
            new Date(),
          );
          await worker.deliveries.compareAndSet(next, record.revision);
        },
      },
      { processConcurrency: 2, deliverConcurrency: 2 },
    );

    const submission = newSubmission('partner-a');
    await front.submissions.create(submission);
    const selfie = Buffer.from('selfie bytes');
    const document = Buffer.from('document bytes');
    expect(
      await front.submissions.putImage(submission.correlationId, 'SELFIE', {
        bytes: selfie,
        contentType: 'image/jpeg',
        etag: etag(selfie),
      }),
    ).toBe('stored');
    expect(
      await front.submissions.putImage(submission.correlationId, 'DOCUMENT', {
        bytes: document,
        contentType: 'image/jpeg',
        etag: etag(document),
      }),
    ).toBe('stored');
    const confirmed = await front.submissions.confirm(
      submission.correlationId,
      'partner-a',
      new Date(),
      new Date(),
    );
    expect(confirmed.kind).toBe('started');
    if (confirmed.kind === 'started') {
      expect(confirmed.submission.confirmedUploads).toEqual({
        SELFIE: etag(selfie),
        DOCUMENT: etag(document),
      });
    }
    // An upload after the confirm is refused: the confirmed bytes are the ones scored.
    expect(
      await front.submissions.putImage(submission.correlationId, 'SELFIE', {
        bytes: document,
        contentType: 'image/jpeg',
        etag: etag(document),
      }),
    ).toBe('locked');

    const delivered = await eventually(async () => {
      const [record] = await front.deliveries.list({ correlationId: submission.correlationId });
      return record?.state === 'delivered' ? record : undefined;
    }, 'the callback to be delivered by the other instance');
    expect(delivered.attempts).toHaveLength(1);
    expect((await front.submissions.get(submission.correlationId))?.status).toBe('COMPLETED');
    // The other instance's changes reached this one's subscribers through the change feed.
    await eventually(
      () => seen.some((c) => c.kind === 'callback-attempt' && c.webhookId === delivered.id),
      'the callback attempt recorded by the other instance to reach this one',
    );
    expect(seen).toContainEqual({
      kind: 'submission',
      correlationId: submission.correlationId,
      partnerId: 'partner-a',
    });
    await within(front.work.idle(), 10_000, 'nothing pending anywhere');
    await within(worker.work.drain(), 10_000, 'drain');
  });

  it('a clock changed through one is the clock the other reads', async () => {
    const one = await stores.open();
    const other = await stores.open();
    const start = await other.clocks.get('partner-clock');
    expect(start).toEqual({ offsetMs: 0, frozenAtMs: null });
    const target = new Date(Date.now() + 3_600_000);
    const moved = await one.clocks.update('partner-clock', (state) =>
      frozen(movedTo(state, target, Date.now()), Date.now()),
    );
    expect(await other.clocks.get('partner-clock')).toEqual(moved);
    expect(moved.frozenAtMs).toBeGreaterThanOrEqual(target.getTime());
  });

  it('each queued scenario use goes to exactly one caller, whichever instance takes it', async () => {
    const one = await stores.open();
    const other = await stores.open();
    await one.scenarios.enqueue('partner-queue', 'approve', 7);
    await other.scenarios.enqueue('partner-queue', 'decline', 5);
    const takes = await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? one : other).scenarios.take('partner-queue')),
    );
    const taken = takes.filter((t) => t !== undefined);
    expect(taken.filter((t) => t === 'approve')).toHaveLength(7);
    expect(taken.filter((t) => t === 'decline')).toHaveLength(5);
    expect(await one.scenarios.queue('partner-queue')).toEqual([]);
    expect(await other.scenarios.take('partner-queue')).toBeUndefined();
  });

  it('a secret created concurrently through both is one value everywhere', async () => {
    const one = await stores.open();
    const other = await stores.open();
    let made = 0;
    const create = async () => `secret-${++made}`;
    const values = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 === 0 ? one : other).secrets.getOrCreate('bucket-signing-secret', create),
      ),
    );
    expect(new Set(values).size).toBe(1);
    expect(made).toBe(1);
    const third = await stores.open();
    expect(await third.secrets.getOrCreate('bucket-signing-secret', create)).toBe(values[0]);
    expect(made).toBe(1);
  });

  it('a reset through one waits for a set-up running through the other, and holds new set-ups off', async () => {
    const one = await stores.open();
    const other = await stores.open();
    const events: string[] = [];
    let finishSetUp = () => {};
    const setUpHeld = new Promise<void>((resolve) => {
      finishSetUp = resolve;
    });
    const setUp = one.excludingReset('partner-reset', async () => {
      events.push('set-up started');
      await one.submissions.create(newSubmission('partner-reset'));
      await setUpHeld;
      events.push('set-up ended');
    });
    await eventually(() => events.includes('set-up started'), 'the set-up to start');
    const reset = other.reset('partner-reset').then((result) => {
      events.push('reset done');
      return result;
    });
    // Another partner's set-up is not held off by this partner's reset.
    expect(await other.excludingReset('partner-unrelated', async () => 'ran')).toBe('ran');
    await eventually(() => resetWaiting(database.url), 'the reset to wait for the set-up’s lock');
    expect(events).toEqual(['set-up started']);
    // Asked for while the reset waits: it starts once the reset is done, so it sees its effect.
    const second = one.excludingReset('partner-reset', () =>
      one.submissions.list({ partnerId: 'partner-reset' }),
    );
    finishSetUp();
    await setUp;
    expect((await reset).submissions).toBe(1);
    expect(events).toEqual(['set-up started', 'set-up ended', 'reset done']);
    expect(await second).toEqual([]);
  });

  it('the journal keeps each partner’s newest entries, whichever instance recorded them', async () => {
    const one = await stores.open({ journalCapacity: 3 });
    const other = await stores.open({ journalCapacity: 3 });
    await one.journal.clear();
    const entry = (partnerId: string | null, path: string) => ({
      at: new Date().toISOString(),
      businessAt: null,
      method: 'GET',
      path,
      area: 'api' as const,
      status: 200,
      durationMs: 1,
      partnerId,
      correlationId: null,
      nearMiss: null,
    });
    for (let i = 1; i <= 5; i++) await (i % 2 ? one : other).journal.record(entry('partner-j', `/j/${i}`));
    for (let i = 1; i <= 2; i++) await other.journal.record(entry('partner-k', `/k/${i}`));
    for (let i = 1; i <= 4; i++) await one.journal.record(entry(null, `/anonymous/${i}`));
    expect((await other.journal.list({ partnerId: 'partner-j' })).map((e) => e.path)).toEqual([
      '/j/5',
      '/j/4',
      '/j/3',
    ]);
    expect((await one.journal.list({ partnerId: 'partner-k' })).map((e) => e.path)).toEqual(['/k/2', '/k/1']);
    expect((await one.journal.list({ pathPrefix: '/anonymous' })).map((e) => e.path)).toEqual([
      '/anonymous/4',
      '/anonymous/3',
      '/anonymous/2',
    ]);
    expect(await other.journal.size()).toBe(8);
    // Ids sort by arrival across instances.
    const ids = (await one.journal.list({})).map((e) => Number(e.id.replace('req_', '')));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    // Recorded at once from both: bounded again by the partner's next entry.
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        (i % 2 ? one : other).journal.record(entry('partner-j', `/burst/${i}`)),
      ),
    );
    await one.journal.record(entry('partner-j', '/after'));
    expect(await one.journal.list({ partnerId: 'partner-j' })).toHaveLength(3);
  });
});
