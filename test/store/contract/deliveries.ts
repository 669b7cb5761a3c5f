import { describe, expect, it } from 'vitest';
import {
  afterAttempt,
  type CallbackDeliveryRecord,
  failDelivery,
  reopenDelivery,
} from '../../../src/domain/CallbackDelivery.ts';
import type { SandboxStore } from '../../../src/store/SandboxStore.ts';
import { attempt, completed, OTHER_PARTNER, PARTNER } from './fixtures.ts';
import { concurrently, type SettableClock, type Stores, turns } from './harness.ts';

export function deliveryContract(stores: Stores): void {
  describe('deliveries', () => {
    it('get, and list by partner, correlationId and state, newest (createdAt) first', async () => {
      const { store, clock } = await stores.open();
      const ago = (s: number) => ({ at: new Date(clock.now().getTime() - s * 1000) });
      // Created out of createdAt order.
      const b = await delivery(store, clock, PARTNER, ago(20));
      const a = await delivery(store, clock, PARTNER, ago(30));
      const c = await delivery(store, clock, PARTNER, ago(10));
      const d = await delivery(store, clock, OTHER_PARTNER, ago(15));
      const delivered = await write(
        store,
        afterAttempt(a, attempt(clock, true), [], clock.now()),
        a.revision,
      );
      await write(store, failDelivery(c, 'no usable secret'), c.revision);

      expect(await store.deliveries.get(a.id)).toEqual(delivered);
      expect(await store.deliveries.get('msg_unknown')).toBeUndefined();
      const listed = async (filter: Parameters<SandboxStore['deliveries']['list']>[0]) =>
        (await store.deliveries.list(filter)).map((r) => r.id);
      expect(await listed({})).toEqual([c.id, d.id, b.id, a.id]);
      expect(await listed({ partnerId: PARTNER })).toEqual([c.id, b.id, a.id]);
      expect(await listed({ partnerId: OTHER_PARTNER })).toEqual([d.id]);
      expect(await listed({ correlationId: b.correlationId })).toEqual([b.id]);
      expect(await listed({ state: 'pending' })).toEqual([d.id, b.id]);
      expect(await listed({ state: 'delivered' })).toEqual([a.id]);
      expect(await listed({ state: 'failed', partnerId: PARTNER })).toEqual([c.id]);
      expect(await listed({ state: 'failed', partnerId: OTHER_PARTNER })).toEqual([]);
    });

    it('compareAndSet replaces the record once per revision and bumps it; false when stale or unknown', async () => {
      const { store, clock } = await stores.open();
      const first = await delivery(store, clock);
      const retry = afterAttempt(first, attempt(clock, false), [60_000], clock.now());
      expect(await store.deliveries.compareAndSet(retry, first.revision)).toBe(true);
      const second = await store.deliveries.get(first.id);
      expect(second).toEqual({ ...retry, revision: first.revision + 1 });

      // Another worker still holding the first revision loses, and changes nothing.
      const stale = afterAttempt(first, attempt(clock, true), [], clock.now());
      expect(await store.deliveries.compareAndSet(stale, first.revision)).toBe(false);
      expect(await store.deliveries.get(first.id)).toEqual(second);

      if (!second) return;
      const done = afterAttempt(second, attempt(clock, true), [], clock.now());
      expect(await store.deliveries.compareAndSet(done, second.revision)).toBe(true);
      expect(await store.deliveries.get(first.id)).toEqual({ ...done, revision: second.revision + 1 });

      const unknown = { ...done, id: 'msg_unknown' };
      expect(await store.deliveries.compareAndSet(unknown, done.revision + 1)).toBe(false);
      expect(await store.deliveries.get('msg_unknown')).toBeUndefined();
    });

    it('concurrent compareAndSet with the same revision: exactly one succeeds', async () => {
      const { store, clock } = await stores.open();
      for (let round = 0; round < 3; round++) {
        const record = await delivery(store, clock);
        const attempts = Array.from({ length: 10 }, (_, i) => ({
          ...attempt(clock, false),
          durationMs: 100 + i,
        }));
        const results = await concurrently(attempts.length, (i) =>
          turns(i % 3).then(() =>
            store.deliveries.compareAndSet(
              afterAttempt(record, attempts[i] ?? attempt(clock, false), [60_000], clock.now()),
              record.revision,
            ),
          ),
        );
        const winners = results.flatMap((ok, i) => (ok ? [i] : []));
        expect(winners).toHaveLength(1);
        const stored = await store.deliveries.get(record.id);
        expect(stored?.revision).toBe(record.revision + 1);
        expect(stored?.attempts).toEqual([attempts[winners[0] ?? -1]]);
      }
    });

    it('redeliver: not-found when unknown, in-progress while pending, started (reopenDelivery) once finished', async () => {
      const { store, clock } = await stores.open();
      expect(await store.deliveries.redeliver('msg_unknown', clock.now())).toEqual({ kind: 'not-found' });

      const pending = await delivery(store, clock);
      expect(await store.deliveries.redeliver(pending.id, clock.now())).toEqual({
        kind: 'in-progress',
        record: pending,
      });
      expect(await store.deliveries.get(pending.id)).toEqual(pending);

      const delivered = await write(
        store,
        afterAttempt(pending, attempt(clock, true), [], clock.now()),
        pending.revision,
      );
      clock.advance(5_000);
      const at = clock.now();
      const answer = await store.deliveries.redeliver(pending.id, at);
      const reopened = reopenDelivery(delivered, at);
      expect(answer).toEqual({ kind: 'started', record: { ...reopened, revision: expect.any(Number) } });
      if (answer.kind !== 'started') return;
      expect(answer.record.revision).toBeGreaterThan(delivered.revision);
      expect(await store.deliveries.get(pending.id)).toEqual(answer.record);
      // A worker that read the delivered record can no longer write over the redelivery.
      const late = afterAttempt(delivered, attempt(clock, true), [], clock.now());
      expect(await store.deliveries.compareAndSet(late, delivered.revision)).toBe(false);
      expect(await store.deliveries.redeliver(pending.id, clock.now())).toEqual({
        kind: 'in-progress',
        record: answer.record,
      });

      const other = await delivery(store, clock);
      const failed = await write(store, failDelivery(other, 'no usable secret'), other.revision);
      const again = await store.deliveries.redeliver(other.id, at);
      expect(again).toEqual({
        kind: 'started',
        record: { ...reopenDelivery(failed, at), revision: expect.any(Number) },
      });
    });

    it('concurrent redeliver of a finished delivery: exactly one started, the others in-progress', async () => {
      const { store, clock } = await stores.open();
      const record = await delivery(store, clock);
      await write(store, afterAttempt(record, attempt(clock, true), [], clock.now()), record.revision);
      const answers = await concurrently(10, (i) =>
        turns(i % 3).then(() => store.deliveries.redeliver(record.id, clock.now())),
      );
      expect(answers.map((a) => a.kind).sort()).toEqual([...Array<string>(9).fill('in-progress'), 'started']);
      const started = answers.find((a) => a.kind === 'started');
      expect(await store.deliveries.get(record.id)).toEqual(
        started?.kind === 'started' ? started.record : null,
      );
    });

    it('delivery records are copied in and out', async () => {
      const { store, clock } = await stores.open();
      const record = await delivery(store, clock);
      const original = structuredClone(record);
      const got = await store.deliveries.get(record.id);
      got?.attempts.push(attempt(clock, true));
      if (got) got.state = 'failed';
      const [listed] = await store.deliveries.list({ correlationId: record.correlationId });
      if (listed) listed.url = 'https://changed.example/';
      expect(await store.deliveries.get(record.id)).toEqual(original);

      const next = afterAttempt(original, attempt(clock, false), [60_000], clock.now());
      expect(await store.deliveries.compareAndSet(next, original.revision)).toBe(true);
      const written = structuredClone(next);
      next.attempts.length = 0;
      next.state = 'delivered';
      expect(await store.deliveries.get(record.id)).toEqual({ ...written, revision: original.revision + 1 });
    });
  });
}

/** A pending delivery of a new COMPLETED submission, as stored (its revision as the store gave it). */
async function delivery(
  store: SandboxStore,
  clock: SettableClock,
  partnerId = PARTNER,
  fields: { at?: Date; nextAttemptAt?: Date } = {},
): Promise<CallbackDeliveryRecord> {
  const made = await completed(store, clock, partnerId, fields);
  if (!made.delivery) throw new Error('setting up: no delivery');
  const stored = await store.deliveries.get(made.delivery.id);
  if (!stored) throw new Error('setting up: the delivery finish created reads as absent');
  return stored;
}

async function write(
  store: SandboxStore,
  next: CallbackDeliveryRecord,
  revision: number,
): Promise<CallbackDeliveryRecord> {
  if (!(await store.deliveries.compareAndSet(next, revision)))
    throw new Error('setting up: compareAndSet lost');
  const stored = await store.deliveries.get(next.id);
  if (!stored) throw new Error('setting up: the delivery reads as absent');
  return stored;
}
