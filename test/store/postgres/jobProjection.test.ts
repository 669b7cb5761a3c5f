import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { afterAttempt } from '../../../src/domain/CallbackDelivery.ts';
import { frozen, movedTo, resumed } from '../../../src/domain/clockState.ts';
import type { WorkHandlers } from '../../../src/store/SandboxStore.ts';
import { createTestDatabase, postgresUnavailable, type TestDatabase } from '../../support/postgres.ts';
import {
  eventually,
  finishWithDelivery,
  processingSubmission,
  settableNow,
  sleep,
  storeOpener,
  type TestStore,
  within,
} from './postgresStores.ts';

const unavailable = await postgresUnavailable();
if (unavailable) console.warn(unavailable);

const HOUR = 3_600_000;

/** Handlers that record what they were handed and deliver every attempt successfully. */
function recordingHandlers(store: TestStore) {
  const processed: string[] = [];
  const delivered: string[] = [];
  const handlers: WorkHandlers = {
    async process(correlationId) {
      processed.push(correlationId);
    },
    async deliver(webhookId) {
      delivered.push(webhookId);
      const record = await store.deliveries.get(webhookId);
      if (record?.state !== 'pending') return;
      const now = new Date();
      await store.deliveries.compareAndSet(
        afterAttempt(record, { at: now.toISOString(), durationMs: 1, statusCode: 200, ok: true }, [], now),
        record.revision,
      );
    },
  };
  return { handlers, processed, delivered };
}

describe.skipIf(unavailable !== null)('PostgreSQL store jobs on the partner clock', () => {
  let database: TestDatabase;
  let admin: pg.Client;
  const stores = storeOpener(() => database.url);
  const jobRunAt = async (key: string): Promise<string | undefined> =>
    (await admin.query('SELECT run_at::text AS run_at FROM facematch_jobs.jobs WHERE key = $1', [key]))
      .rows[0]?.run_at;

  beforeAll(async () => {
    database = await createTestDatabase('jobs');
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
  });
  afterEach(() => stores.stopWork());
  afterAll(async () => {
    await stores.closeAll();
    await admin?.end();
    await database?.drop();
  });

  it('advancing the partner clock past a delivery’s next attempt runs it promptly; nothing runs before', async () => {
    const store = await stores.open();
    const { handlers, delivered } = recordingHandlers(store);
    await store.work.start(handlers, { processConcurrency: 1, deliverConcurrency: 1 });
    const submission = processingSubmission('partner-advance', null);
    await store.submissions.create(submission);
    const delivery = await finishWithDelivery(store, submission, new Date(Date.now() + HOUR));
    expect(await store.work.pending('partner-advance')).toBe(1);
    expect(await store.work.nextDue('partner-advance', new Date())).toBeUndefined();

    await sleep(400);
    expect(delivered).toEqual([]);

    const [item] = [await store.work.nextDue('partner-advance', new Date(Date.now() + 2 * HOUR))];
    expect(item).toMatchObject({
      kind: 'deliver',
      id: delivery.id,
      partnerId: 'partner-advance',
      revision: '0',
    });
    await store.clocks.update('partner-advance', (state) =>
      movedTo(state, new Date(Date.now() + 2 * HOUR), Date.now()),
    );
    await eventually(() => delivered.includes(delivery.id), 'the re-projected delivery job to run');
    if (item) expect(await store.work.settled(item, 5_000)).toBe(true);
    expect((await store.deliveries.get(delivery.id))?.state).toBe('delivered');
    expect(await store.work.pending('partner-advance')).toBe(0);
    await within(store.work.stop(), 10_000, 'stop');
  });

  it('a frozen clock holds what lies ahead (run_at infinity) and still runs what is already due', async () => {
    const store = await stores.open();
    const { handlers, delivered } = recordingHandlers(store);
    await store.clocks.update('partner-frozen', (state) => frozen(state, Date.now()));
    const frozenAt = (await store.clocks.get('partner-frozen')).frozenAtMs ?? 0;

    const ahead = processingSubmission('partner-frozen', null);
    await store.submissions.create(ahead);
    const later = await finishWithDelivery(store, ahead, new Date(frozenAt + 300));
    expect(await jobRunAt(`deliver:${later.id}`)).toBe('infinity');

    const due = processingSubmission('partner-frozen', null);
    await store.submissions.create(due);
    const now = await finishWithDelivery(store, due, new Date(frozenAt));

    await store.work.start(handlers, { processConcurrency: 1, deliverConcurrency: 1 });
    await eventually(() => delivered.includes(now.id), 'the delivery already due on the frozen clock');
    await sleep(800);
    expect(delivered).not.toContain(later.id);

    // Resumed, the clock runs on from the frozen instant: the held attempt falls due 300 ms later.
    await store.clocks.update('partner-frozen', (state) => resumed(state, Date.now()));
    expect(await jobRunAt(`deliver:${later.id}`)).not.toBe('infinity');
    await eventually(() => delivered.includes(later.id), 'the held delivery after the clock resumed');
    await within(store.work.drain(), 10_000, 'drain');
  });

  it('processing made due by dueProcessing is scored, and a wall clock moved by a test moves due work with it', async () => {
    const wall = settableNow(Date.now() + 30 * 24 * HOUR);
    const store = await stores.open({ now: wall.now });
    const { handlers, processed } = recordingHandlers(store);
    await store.work.start(handlers, { processConcurrency: 2, deliverConcurrency: 1 });

    const waiting = processingSubmission('partner-due', null, wall.now());
    await store.submissions.create(waiting);
    const dueNow = processingSubmission('partner-due', wall.now(), wall.now());
    await store.submissions.create(dueNow);
    await eventually(
      () => processed.includes(dueNow.correlationId),
      'work due on the store’s (moved) wall clock',
    );
    await sleep(300);
    expect(processed).not.toContain(waiting.correlationId);

    const dueAt = wall.now();
    const made = await store.submissions.dueProcessing(waiting.correlationId, dueAt);
    expect(made?.processDueAt).toBe(dueAt.toISOString());
    await eventually(() => processed.includes(waiting.correlationId), 'processing made due by dueProcessing');
    await within(store.work.stop(), 10_000, 'stop');
  });
});
