import { describe, expect, it } from 'vitest';
import { afterAttempt } from '../../../src/domain/CallbackDelivery.ts';
import { frozen, movedTo } from '../../../src/domain/clockState.ts';
import type { Submission } from '../../../src/domain/Submission.ts';
import type { SandboxStore, WorkHandlers, WorkKind } from '../../../src/store/SandboxStore.ts';
import { attempt, completed, later, OTHER_PARTNER, PARTNER, processing, scored } from './fixtures.ts';
import { eventually, type SettableClock, type Stores, sleep, within } from './harness.ts';

export interface HandlerCall {
  kind: WorkKind;
  id: string;
  /** StoreOptions.now when the handler was called. */
  atMs: number;
}

type Handler = (id: string, signal: AbortSignal, call: number) => Promise<void>;

/**
 * Handlers that record every call, then do what a real worker does unless told otherwise: score
 * a PROCESSING submission (finish), make a successful attempt of a pending delivery.
 */
export function recordingHandlers(
  store: SandboxStore,
  clock: SettableClock,
  custom: { process?: Handler; deliver?: Handler } = {},
) {
  const calls: HandlerCall[] = [];
  const record = (kind: WorkKind, id: string) => {
    calls.push({ kind, id, atMs: clock.now().getTime() });
    return calls.filter((c) => c.kind === kind && c.id === id).length;
  };
  const handlers: WorkHandlers = {
    async process(id, signal) {
      const n = record('process', id);
      await (custom.process ?? (() => finishIfProcessing(store, clock, id)))(id, signal, n);
    },
    async deliver(id, signal) {
      const n = record('deliver', id);
      await (custom.deliver ?? (() => attemptIfPending(store, clock, id, true, [])))(id, signal, n);
    },
  };
  return { calls, handlers, callsOf: (id: string) => calls.filter((c) => c.id === id) };
}

export async function finishIfProcessing(
  store: SandboxStore,
  clock: SettableClock,
  id: string,
): Promise<void> {
  const submission = await store.submissions.get(id);
  if (submission?.status === 'PROCESSING') await store.submissions.finish(scored(submission, clock), null);
}

async function attemptIfPending(
  store: SandboxStore,
  clock: SettableClock,
  id: string,
  ok: boolean,
  retrySchedule: number[],
): Promise<void> {
  const record = await store.deliveries.get(id);
  if (record?.state !== 'pending') return;
  await store.deliveries.compareAndSet(
    afterAttempt(record, attempt(clock, ok), retrySchedule, clock.now()),
    record.revision,
  );
}

/**
 * Starts the queue without waiting on start's promise (whether it resolves once running or once
 * stopped is the adapter's affair): tests wait for handler calls instead. Failures are kept to
 * be named when a wait times out.
 */
export function startWork(
  store: SandboxStore,
  handlers: WorkHandlers,
  options = { processConcurrency: 4, deliverConcurrency: 4 },
): unknown[] {
  const failures: unknown[] = [];
  store.work.start(handlers, options).catch((error: unknown) => failures.push(error));
  return failures;
}

const status = async (store: SandboxStore, id: string) => (await store.submissions.get(id))?.status;

export function workContract(stores: Stores): void {
  describe('work', () => {
    it('processing due now is handed to the process handler, confirmed before or after start', async () => {
      const { store, clock } = await stores.open();
      const before = await processing(store, clock, clock.now());
      const r = recordingHandlers(store, clock);
      const failures = startWork(store, r.handlers);
      const after = await processing(store, clock, clock.now());
      for (const s of [before, after]) {
        await eventually(
          () => r.callsOf(s.correlationId).length > 0,
          () => `process(${s.correlationId}) (start failures: ${failures.join('; ') || 'none'})`,
        );
        expect(r.callsOf(s.correlationId)[0]?.kind).toBe('process');
        await eventually(
          async () => (await status(store, s.correlationId)) === 'COMPLETED',
          'the handler to finish it',
        );
      }
    });

    it('a future processDueAt runs only once it is due', async () => {
      const { store, clock } = await stores.open();
      const due = later(clock, 1_200);
      const future = await processing(store, clock, due);
      const now = await processing(store, clock, clock.now());
      const r = recordingHandlers(store, clock);
      startWork(store, r.handlers);
      await eventually(() => r.callsOf(now.correlationId).length > 0, 'the work due now');
      if (clock.now().getTime() < due.getTime() - 300) expect(r.callsOf(future.correlationId)).toEqual([]);
      await eventually(() => r.callsOf(future.correlationId).length > 0, 'the work due in 1.2 s');
      // A few ms of timer rounding allowed; never a run ahead of its time.
      expect(r.callsOf(future.correlationId)[0]?.atMs).toBeGreaterThanOrEqual(due.getTime() - 25);
    });

    it("moving the partner's clock past a due time runs that work at once, and only that partner's", async () => {
      const { store, clock } = await stores.open();
      const dueAt = later(clock, 3_600_000);
      const mine = await processing(store, clock, dueAt);
      const theirs = await processing(store, clock, dueAt, OTHER_PARTNER);
      const barrier = await processing(store, clock, clock.now());
      const r = recordingHandlers(store, clock);
      startWork(store, r.handlers);
      await eventually(() => r.callsOf(barrier.correlationId).length > 0, 'the work due now');
      await sleep(100);
      expect(r.callsOf(mine.correlationId)).toEqual([]);

      await store.clocks.update(PARTNER, (s) =>
        movedTo(s, new Date(dueAt.getTime() + 1_000), clock.now().getTime()),
      );
      await eventually(() => r.callsOf(mine.correlationId).length > 0, 'the work the advance made due');
      await eventually(async () => (await status(store, mine.correlationId)) === 'COMPLETED', 'it to finish');
      await sleep(200);
      expect(r.callsOf(theirs.correlationId)).toEqual([]);
    });

    it('a frozen clock holds the work ahead of it; moving it on runs that work', async () => {
      const { store, clock } = await stores.open();
      const state = await store.clocks.update(PARTNER, (s) => frozen(s, clock.now().getTime()));
      const frozenAt = state.frozenAtMs ?? Number.NaN;
      const ahead = await processing(store, clock, new Date(frozenAt + 300));
      const due = await processing(store, clock, new Date(frozenAt));
      const r = recordingHandlers(store, clock);
      startWork(store, r.handlers);
      await eventually(() => r.callsOf(due.correlationId).length > 0, 'the work due at the frozen instant');
      await sleep(500); // wall time runs well past the due time; business time does not
      expect(r.callsOf(ahead.correlationId)).toEqual([]);
      await store.clocks.update(PARTNER, (s) => movedTo(s, new Date(frozenAt + 300), clock.now().getTime()));
      await eventually(() => r.callsOf(ahead.correlationId).length > 0, 'the work the moved clock made due');
    });

    it('processing confirmed with no processDueAt waits until dueProcessing makes it due', async () => {
      const { store, clock } = await stores.open();
      const undated = await processing(store, clock, null);
      const barrier = await processing(store, clock, clock.now());
      const r = recordingHandlers(store, clock);
      startWork(store, r.handlers);
      await eventually(() => r.callsOf(barrier.correlationId).length > 0, 'the work due now');
      await sleep(150);
      expect(r.callsOf(undated.correlationId)).toEqual([]);
      await store.submissions.dueProcessing(undated.correlationId, clock.now());
      await eventually(() => r.callsOf(undated.correlationId).length > 0, 'the work dueProcessing made due');
    });

    it('nextDue and pending follow the state: overdue included, upTo respected, other partners excluded', async () => {
      const { store, clock } = await stores.open();
      const t0 = clock.now().getTime();
      const overdue = await processing(store, clock, new Date(t0 - 600_000));
      const inAnHour = await processing(store, clock, new Date(t0 + 3_600_000));
      const { delivery } = await completed(store, clock, PARTNER, {
        nextAttemptAt: new Date(t0 + 1_800_000),
      });
      await processing(store, clock, new Date(t0 - 3_600_000), OTHER_PARTNER);
      if (!delivery) throw new Error('setting up: no delivery');

      expect(await store.work.pending(PARTNER)).toBe(3);
      expect(await store.work.pending(OTHER_PARTNER)).toBe(1);
      expect(await store.work.pending('nobody')).toBe(0);
      const processItem = {
        kind: 'process',
        id: overdue.correlationId,
        partnerId: PARTNER,
        dueAt: new Date(t0 - 600_000),
        revision: expect.any(String),
      };
      expect(await store.work.nextDue(PARTNER, new Date(t0))).toEqual(processItem);
      expect(await store.work.nextDue(PARTNER, new Date(t0 + 7_200_000))).toEqual(processItem);
      expect(await store.work.nextDue('nobody', new Date(t0 + 7_200_000))).toBeUndefined();

      await store.submissions.finish(scored(overdue, clock), null);
      expect(await store.work.pending(PARTNER)).toBe(2);
      expect(await store.work.nextDue(PARTNER, new Date(t0))).toBeUndefined();
      expect(await store.work.nextDue(PARTNER, new Date(t0 + 1_799_000))).toBeUndefined();
      const deliverItem = {
        kind: 'deliver',
        id: delivery.id,
        partnerId: PARTNER,
        dueAt: new Date(t0 + 1_800_000),
        revision: expect.any(String),
      };
      expect(await store.work.nextDue(PARTNER, new Date(t0 + 1_800_000))).toEqual(deliverItem);
      expect(await store.work.nextDue(PARTNER, new Date(t0 + 7_200_000))).toEqual(deliverItem);

      const record = await store.deliveries.get(delivery.id);
      if (!record) throw new Error('the delivery reads as absent');
      await store.deliveries.compareAndSet(
        afterAttempt(record, attempt(clock, true), [], clock.now()),
        record.revision,
      );
      expect(await store.work.pending(PARTNER)).toBe(1);
      expect(await store.work.nextDue(PARTNER, new Date(t0 + 7_200_000))).toEqual({
        kind: 'process',
        id: inAnHour.correlationId,
        partnerId: PARTNER,
        dueAt: new Date(t0 + 3_600_000),
        revision: expect.any(String),
      });
      expect(await store.work.pending(OTHER_PARTNER)).toBe(1);
    });

    it('settled is false when the time-out passes first, true once the state shows another revision', async () => {
      const { store, clock } = await stores.open();
      const submission = await processing(store, clock, clock.now());
      const item = await store.work.nextDue(PARTNER, clock.now());
      if (!item) throw new Error('nextDue found nothing due');
      expect(await within(store.work.settled(item, 100), 5_000, 'settled with a 100 ms time-out')).toBe(
        false,
      );
      const waiting = store.work.settled(item, 10_000);
      await sleep(50);
      await store.submissions.finish(scored(submission, clock), null);
      expect(await within(waiting, 12_000, 'settled after the finish')).toBe(true);
      expect(await within(store.work.settled(item, 100), 5_000, 'settled again')).toBe(true);

      // A delivery attempt recorded as pending again is another revision of the same item.
      const { delivery } = await completed(store, clock);
      const deliverItem = await store.work.nextDue(PARTNER, clock.now());
      const record = await store.deliveries.get(delivery?.id ?? '');
      if (!deliverItem || !record) throw new Error('setting up: no delivery item');
      expect(deliverItem.id).toBe(record.id);
      const pending = store.work.settled(deliverItem, 10_000);
      const retry = afterAttempt(record, attempt(clock, false), [60_000], clock.now());
      expect(await store.deliveries.compareAndSet(retry, record.revision)).toBe(true);
      expect(await within(pending, 12_000, 'settled after the attempt')).toBe(true);
    });

    it('a pending delivery due now is handed to deliver; an attempt left pending schedules the next', async () => {
      const { store, clock } = await stores.open();
      const { delivery } = await completed(store, clock);
      const id = delivery?.id ?? '';
      const r = recordingHandlers(store, clock, {
        deliver: (webhookId, _signal, n) => attemptIfPending(store, clock, webhookId, n > 1, [400]),
      });
      startWork(store, r.handlers);
      await eventually(() => r.callsOf(id).length >= 2, 'a first attempt, then the retry 400 ms later');
      await eventually(
        async () => (await store.deliveries.get(id))?.state === 'delivered',
        'the retry to deliver',
      );
      const record = await store.deliveries.get(id);
      expect(record?.attempts.map((a) => a.ok)).toEqual([false, true]);
      const retryDue = Date.parse(record?.attempts[0]?.at ?? '') + 400;
      expect(r.callsOf(id)[1]?.atMs).toBeGreaterThanOrEqual(retryDue - 25);
      expect(r.callsOf(id).every((c) => c.kind === 'deliver')).toBe(true);
    });

    it('a handler that throws is called again later', async () => {
      const { store, clock } = await stores.open();
      const submission = await processing(store, clock, clock.now());
      const r = recordingHandlers(store, clock, {
        process: async (id, _signal, n) => {
          if (n === 1) throw new Error('the engine fell over');
          await finishIfProcessing(store, clock, id);
        },
      });
      startWork(store, r.handlers);
      await eventually(() => r.callsOf(submission.correlationId).length >= 2, 'a second call', 20_000);
      await eventually(
        async () => (await status(store, submission.correlationId)) === 'COMPLETED',
        'the finish',
      );
    });

    it('at most processConcurrency scoring and deliverConcurrency delivery handlers run at once', async () => {
      const { store, clock } = await stores.open();
      const submissions: Submission[] = [];
      for (let i = 0; i < 6; i++) submissions.push(await processing(store, clock, clock.now()));
      const deliveries: string[] = [];
      for (let i = 0; i < 4; i++) deliveries.push((await completed(store, clock)).delivery?.id ?? '');
      const running = { process: 0, deliver: 0 };
      const most = { process: 0, deliver: 0 };
      const busy = async (kind: WorkKind, work: () => Promise<void>) => {
        running[kind] += 1;
        most[kind] = Math.max(most[kind], running[kind]);
        try {
          await sleep(60);
          await work();
        } finally {
          running[kind] -= 1;
        }
      };
      const r = recordingHandlers(store, clock, {
        process: (id) => busy('process', () => finishIfProcessing(store, clock, id)),
        deliver: (id) => busy('deliver', () => attemptIfPending(store, clock, id, true, [])),
      });
      startWork(store, r.handlers, { processConcurrency: 2, deliverConcurrency: 1 });
      await eventually(async () => {
        const states = await Promise.all(submissions.map((s) => status(store, s.correlationId)));
        const sent = await Promise.all(deliveries.map(async (id) => (await store.deliveries.get(id))?.state));
        return states.every((s) => s === 'COMPLETED') && sent.every((s) => s === 'delivered');
      }, 'all six scored and four delivered');
      expect(most.process).toBeLessThanOrEqual(2);
      expect(most.deliver).toBeLessThanOrEqual(1);
    });

    it('drain(until) also runs scoring that falls due before until, then resolves; what falls due after stays pending', async () => {
      const { store, clock } = await stores.open();
      const soon = await processing(store, clock, later(clock, 300));
      const after = await processing(store, clock, later(clock, 3_600_000));
      const r = recordingHandlers(store, clock);
      startWork(store, r.handlers);
      await within(store.work.drain(later(clock, 5_000)), 10_000, 'drain');
      // A confirmed submission waiting out its processing delay finishes within the drain time.
      expect(await status(store, soon.correlationId)).toBe('COMPLETED');
      expect(r.callsOf(after.correlationId)).toEqual([]);
      expect(await status(store, after.correlationId)).toBe('PROCESSING');
    });

    it('drain runs what is due now, starts nothing that falls due later, and resolves with nothing running', async () => {
      const { store, clock } = await stores.open();
      const due: Submission[] = [];
      for (let i = 0; i < 3; i++) due.push(await processing(store, clock, clock.now()));
      const future = await processing(store, clock, later(clock, 3_600_000));
      let running = 0;
      const r = recordingHandlers(store, clock, {
        process: async (id) => {
          running += 1;
          try {
            await sleep(50);
            await finishIfProcessing(store, clock, id);
          } finally {
            running -= 1;
          }
        },
      });
      startWork(store, r.handlers, { processConcurrency: 1, deliverConcurrency: 1 });
      await eventually(() => r.calls.length > 0, 'the queue to start the first');
      await within(store.work.drain(), 10_000, 'drain');
      expect(running).toBe(0);
      for (const s of due) expect(await status(store, s.correlationId)).toBe('COMPLETED');
      expect(await store.work.pending(PARTNER)).toBe(1);

      await store.clocks.update(PARTNER, (s) => movedTo(s, later(clock, 3_700_000), clock.now().getTime()));
      await sleep(300);
      expect(r.callsOf(future.correlationId)).toEqual([]);
      expect(await status(store, future.correlationId)).toBe('PROCESSING');
    });

    it('stop aborts running handlers and resolves once they ended; the work stays pending', async () => {
      const { store, clock } = await stores.open();
      const submission = await processing(store, clock, clock.now());
      const events: string[] = [];
      const r = recordingHandlers(store, clock, {
        process: async (_id, signal) => {
          events.push('started');
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 5_000);
            const done = () => {
              clearTimeout(timer);
              resolve();
            };
            if (signal.aborted) done();
            else signal.addEventListener('abort', done, { once: true });
          });
          await sleep(20); // the handler's own clean-up
          events.push(signal.aborted ? 'aborted' : 'not aborted');
        },
      });
      startWork(store, r.handlers);
      await eventually(() => events.includes('started'), 'the handler to start');
      await within(store.work.stop(), 10_000, 'stop');
      events.push('stopped');
      expect(events).toEqual(['started', 'aborted', 'stopped']);
      expect(await status(store, submission.correlationId)).toBe('PROCESSING');
      expect(await store.work.pending(PARTNER)).toBe(1);

      const another = await processing(store, clock, clock.now());
      await sleep(300);
      expect(r.callsOf(another.correlationId)).toEqual([]);
    });

    it('idle resolves once nothing is pending anywhere, work falling due meanwhile included', async () => {
      const { store, clock } = await stores.open();
      const all = [
        await processing(store, clock, clock.now()),
        await processing(store, clock, clock.now(), OTHER_PARTNER),
        await processing(store, clock, later(clock, 400)),
      ];
      const { delivery } = await completed(store, clock);
      const r = recordingHandlers(store, clock);
      startWork(store, r.handlers);
      await within(store.work.idle(), 10_000, 'idle');
      for (const s of all) expect(await status(store, s.correlationId)).toBe('COMPLETED');
      expect((await store.deliveries.get(delivery?.id ?? ''))?.state).toBe('delivered');
      expect(await store.work.pending(PARTNER)).toBe(0);

      const far = await processing(store, clock, later(clock, 3_600_000));
      let idle = false;
      const idling = store.work.idle().then(() => {
        idle = true;
      });
      await sleep(300);
      expect(idle).toBe(false);
      await store.submissions.finish(scored(far, clock), null);
      await within(idling, 10_000, 'idle once the last pending work is gone');
    });
  });
}
