import { describe, expect, it } from 'vitest';
import { REAL_TIME } from '../../../src/domain/clockState.ts';
import type { SandboxStore } from '../../../src/store/SandboxStore.ts';
import {
  completed,
  created,
  idempotencyKey,
  journalEntry,
  later,
  OTHER_PARTNER,
  PARTNER,
  processing,
  storedAnswer,
  uploaded,
} from './fixtures.ts';
import { gate, type SettableClock, type Stores, sleep, within } from './harness.ts';
import { secretMaker } from './secrets.ts';

/** One partner's state in every part of the store: what a reset must remove, or leave alone. */
async function populate(store: SandboxStore, clock: SettableClock, partnerId: string) {
  const { submission: awaiting, selfie } = await uploaded(store, clock, partnerId);
  const waiting = await processing(store, clock, later(clock, 3_600_000), partnerId);
  const { submission: done, delivery } = await completed(store, clock, partnerId, {
    nextAttemptAt: later(clock, 7_200_000),
  });
  await store.scenarios.count(awaiting.correlationId, ['polls']);
  const key = idempotencyKey(partnerId);
  await store.idempotency.claim(partnerId, key, clock.now());
  const answer = storedAnswer(clock, { partnerId });
  await store.idempotency.complete(key, answer);
  await store.scenarios.enqueue(partnerId, 'low-score', 2);
  const entry = await store.journal.record(
    journalEntry(clock, { partnerId, correlationId: awaiting.correlationId }),
  );
  const clockState = await store.clocks.update(partnerId, (s) => ({ ...s, offsetMs: s.offsetMs + 60_000 }));
  return { awaiting, selfie, waiting, done, delivery, key, answer, entry, clockState };
}

type Populated = Awaited<ReturnType<typeof populate>>;

async function expectGone(store: SandboxStore, clock: SettableClock, partnerId: string, was: Populated) {
  for (const s of [was.awaiting, was.waiting, was.done]) {
    expect(await store.submissions.get(s.correlationId)).toBeUndefined();
    expect(await store.submissions.image(s.correlationId, 'SELFIE')).toBeNull();
    expect(await store.submissions.imageMeta(s.correlationId, 'DOCUMENT')).toBeNull();
  }
  expect(await store.submissions.list({ partnerId })).toEqual([]);
  expect(await store.deliveries.get(was.delivery?.id ?? '')).toBeUndefined();
  expect(await store.deliveries.list({ partnerId })).toEqual([]);
  expect(await store.scenarios.count(was.awaiting.correlationId, ['polls'])).toEqual([0]);
  expect(await store.idempotency.claim(partnerId, was.key, clock.now())).toEqual({ kind: 'claimed' });
  expect(await store.scenarios.queue(partnerId)).toEqual([]);
  expect(await store.journal.list({ partnerId })).toEqual([]);
  expect(await store.clocks.get(partnerId)).toEqual(REAL_TIME);
  expect(await store.work.pending(partnerId)).toBe(0);
}

async function expectKept(store: SandboxStore, clock: SettableClock, partnerId: string, was: Populated) {
  expect(await store.submissions.get(was.awaiting.correlationId)).toEqual(was.awaiting);
  expect(await store.submissions.get(was.waiting.correlationId)).toEqual(was.waiting);
  expect(await store.submissions.get(was.done.correlationId)).toEqual(was.done);
  const selfie = await store.submissions.image(was.awaiting.correlationId, 'SELFIE');
  expect(selfie?.bytes.equals(was.selfie.bytes)).toBe(true);
  expect(await store.submissions.imageMeta(was.waiting.correlationId, 'DOCUMENT')).not.toBeNull();
  expect(await store.deliveries.get(was.delivery?.id ?? '')).toBeDefined();
  expect(await store.scenarios.count(was.awaiting.correlationId, ['polls'])).toEqual([2]);
  expect(await store.idempotency.claim(partnerId, was.key, clock.now())).toEqual({
    kind: 'answered',
    answer: was.answer,
  });
  expect(await store.scenarios.queue(partnerId)).toEqual([{ scenario: 'low-score', remaining: 2 }]);
  expect(await store.journal.list({ partnerId })).toEqual([was.entry]);
  expect(await store.clocks.get(partnerId)).toEqual(was.clockState);
  // Processing due in an hour, the delivery's attempt in two.
  expect(await store.work.pending(partnerId)).toBe(2);
}

export function resetContract(stores: Stores): void {
  describe('reset', () => {
    it("reset(partner) removes exactly that partner's state, and nothing of another's", async () => {
      const { store, clock } = await stores.open();
      const mine = await populate(store, clock, PARTNER);
      const theirs = await populate(store, clock, OTHER_PARTNER);
      const anonymous = await store.journal.record(journalEntry(clock, { partnerId: null }));
      const secret = await store.secrets.getOrCreate('bucket-signing-secret', secretMaker('bucket').create);
      expect(await store.work.pending(PARTNER)).toBe(2);

      expect(await store.reset(PARTNER)).toEqual({ submissions: 3 });
      await expectGone(store, clock, PARTNER, mine);
      await expectKept(store, clock, OTHER_PARTNER, theirs);
      expect(await store.journal.list({})).toEqual([anonymous, theirs.entry]);
      const maker = secretMaker('again');
      expect(await store.secrets.getOrCreate('bucket-signing-secret', maker.create)).toBe(secret);
      expect(maker.made).toEqual([]);
      // The partner starts again from a clean slate.
      const fresh = await created(store, clock, PARTNER);
      expect(await store.submissions.list({ partnerId: PARTNER })).toEqual([fresh]);
    });

    it('reset(null) removes every partner, and keeps the secrets', async () => {
      const { store, clock } = await stores.open();
      const mine = await populate(store, clock, PARTNER);
      const theirs = await populate(store, clock, OTHER_PARTNER);
      await store.journal.record(journalEntry(clock, { partnerId: null }));
      const secret = await store.secrets.getOrCreate('token-signing-key', secretMaker('key').create);

      expect(await store.reset(null)).toEqual({ submissions: 6 });
      await expectGone(store, clock, PARTNER, mine);
      await expectGone(store, clock, OTHER_PARTNER, theirs);
      expect(await store.submissions.list({})).toEqual([]);
      expect(await store.deliveries.list({})).toEqual([]);
      expect(await store.journal.size()).toBe(0);
      const maker = secretMaker('again');
      expect(await store.secrets.getOrCreate('token-signing-key', maker.create)).toBe(secret);
      expect(maker.made).toEqual([]);
    });

    it('reset waits for a running excludingReset of that partner to end', async () => {
      const { store, clock } = await stores.open();
      const before = await created(store, clock);
      const inside = gate();
      const release = gate();
      const events: string[] = [];
      let sawBefore: boolean | undefined;
      let madeInside: string | undefined;
      const setUp = store.excludingReset(PARTNER, async () => {
        inside.open();
        await release.promise;
        sawBefore = (await store.submissions.get(before.correlationId)) !== undefined;
        madeInside = (await created(store, clock)).correlationId;
        events.push('set-up done');
        return 'set up';
      });
      await within(inside.promise, 5_000, 'excludingReset to start fn');
      const reset = store.reset(PARTNER).then((answer) => {
        events.push('reset done');
        return answer;
      });
      await sleep(150); // room for a reset that does not wait to run
      events.push('released');
      release.open();
      expect(await within(setUp, 5_000, 'the excludingReset to end')).toBe('set up');
      expect(await within(reset, 5_000, 'the reset to end')).toEqual({ submissions: 2 });
      expect(events).toEqual(['released', 'set-up done', 'reset done']);
      expect(sawBefore).toBe(true);
      expect(await store.submissions.get(madeInside ?? '')).toBeUndefined();
    });

    it('an excludingReset asked for while a reset waits or runs starts after the reset is done', async () => {
      const { store, clock } = await stores.open();
      const before = await created(store, clock);
      const inside = gate();
      const release = gate();
      const events: string[] = [];
      let secondSawBefore: boolean | undefined;
      const first = store.excludingReset(PARTNER, async () => {
        inside.open();
        await release.promise;
      });
      await within(inside.promise, 5_000, 'the first excludingReset to start fn');
      const reset = store.reset(PARTNER);
      await sleep(150); // the reset is asked for, and waits for the first
      const second = store.excludingReset(PARTNER, async () => {
        events.push('second started');
        secondSawBefore = (await store.submissions.get(before.correlationId)) !== undefined;
      });
      await sleep(100);
      events.push('released');
      release.open();
      await within(Promise.all([first, reset, second]), 5_000, 'both excludingReset and the reset to end');
      expect(events).toEqual(['released', 'second started']);
      expect(secondSawBefore).toBe(false);
    });

    it('reset(null) waits for a running excludingReset of any partner', async () => {
      const { store, clock } = await stores.open();
      const inside = gate();
      const release = gate();
      let madeInside: string | undefined;
      const setUp = store.excludingReset(OTHER_PARTNER, async () => {
        inside.open();
        await release.promise;
        madeInside = (await created(store, clock, OTHER_PARTNER)).correlationId;
      });
      await within(inside.promise, 5_000, 'excludingReset to start fn');
      let resetDone = false;
      const reset = store.reset(null).then(() => {
        resetDone = true;
      });
      await sleep(150);
      expect(resetDone).toBe(false);
      release.open();
      await within(Promise.all([setUp, reset]), 5_000, 'the excludingReset and the reset to end');
      expect(await store.submissions.get(madeInside ?? '')).toBeUndefined();
    });

    it('several excludingReset of one partner run at once', async () => {
      const { store } = await stores.open();
      const everyoneIn = gate();
      let entered = 0;
      const run = () =>
        store.excludingReset(PARTNER, async () => {
          entered += 1;
          if (entered === 3) everyoneIn.open();
          return Promise.race([everyoneIn.promise.then(() => true), sleep(2_000).then(() => false)]);
        });
      const met = await within(Promise.all([run(), run(), run()]), 10_000, 'three excludingReset');
      expect(met).toEqual([true, true, true]);
    });

    it("excludingReset gives fn's value or rejection back, and a rejection does not hold resets off", async () => {
      const { store, clock } = await stores.open();
      expect(await store.excludingReset(PARTNER, async () => 42)).toBe(42);
      await expect(
        store.excludingReset(PARTNER, async () => {
          throw new Error('provider state failed');
        }),
      ).rejects.toThrow('provider state failed');
      await created(store, clock);
      expect(await within(store.reset(PARTNER), 5_000, 'a reset after a failed excludingReset')).toEqual({
        submissions: 1,
      });
    });
  });
}
