import { describe, expect, it } from 'vitest';
import { afterAttempt } from '../../../src/domain/CallbackDelivery.ts';
import type { Submission } from '../../../src/domain/Submission.ts';
import { CLAIM_TIMEOUT_MS, type SandboxStore } from '../../../src/store/SandboxStore.ts';
import { watch } from './changes.ts';
import {
  attempt,
  completed,
  created,
  deliveryOf,
  idempotencyKey,
  journalEntry,
  later,
  OTHER_PARTNER,
  PARTNER,
  processing,
  putOrFail,
  scored,
  storedAnswer,
  upload,
  uploaded,
} from './fixtures.ts';
import { concurrently, eventually, type OpenedStore, type Stores, turns } from './harness.ts';
import { compareJournalIds } from './journal.ts';
import { secretMaker } from './secrets.ts';
import { recordingHandlers, startWork } from './work.ts';

const NOT_PERSISTENT = 'this store keeps nothing across a close (persistent: false)';
const NOT_SHARED = 'one store at a time on this storage (sharedAcrossInstances: false)';

/** Two stores on one storage, calls alternating between them. */
function either(first: SandboxStore, second: SandboxStore) {
  return (i: number) => (i % 2 === 0 ? first : second);
}

export function instanceContract(stores: Stores): void {
  describe('restarts', () => {
    it('everything survives a close and a reopen', async ({ skip }) => {
      const opened = await stores.open({ initialClock: 'frozen' });
      if (!opened.persistent) skip(NOT_PERSISTENT);
      const { store, clock } = opened;
      const { submission: awaiting, selfie, document } = await uploaded(store, clock);
      const waiting = await processing(store, clock, later(clock, 3_600_000));
      const { submission: done, delivery } = await completed(store, clock);
      const record = await store.deliveries.get(delivery?.id ?? '');
      if (!record) throw new Error('setting up: no delivery');
      await store.deliveries.compareAndSet(
        afterAttempt(record, attempt(clock, false), [60_000], clock.now()),
        record.revision,
      );
      const attempted = await store.deliveries.get(record.id);
      const key = idempotencyKey(PARTNER);
      await store.idempotency.claim(PARTNER, key, clock.now());
      const answer = storedAnswer(clock, { correlationId: awaiting.correlationId });
      await store.idempotency.complete(key, answer);
      const inFlight = idempotencyKey(PARTNER);
      await store.idempotency.claim(PARTNER, inFlight, clock.now());
      const frozenClock = await store.clocks.get(PARTNER);
      const movedClock = await store.clocks.update(OTHER_PARTNER, (s) => ({
        offsetMs: 90_000,
        frozenAtMs: s.frozenAtMs,
      }));
      await store.scenarios.enqueue(PARTNER, 'low-score', 2);
      await store.scenarios.enqueue(PARTNER, 'callback-fails', 1);
      await store.scenarios.take(PARTNER);
      await store.scenarios.count(awaiting.correlationId, ['polls', 'fault:confirm']);
      await store.scenarios.count(awaiting.correlationId, ['polls']);
      const key1 = await store.secrets.getOrCreate('token-signing-key', secretMaker('key').create);
      const key2 = await store.secrets.getOrCreate('bucket-signing-secret', secretMaker('bucket').create);

      await opened.close(store);
      clock.advance(CLAIM_TIMEOUT_MS / 2); // a restart takes a while; the claim is still younger than the timeout
      const again = await opened.reopen();

      expect(await again.submissions.get(awaiting.correlationId)).toEqual(awaiting);
      expect(await again.submissions.get(waiting.correlationId)).toEqual(waiting);
      expect(await again.submissions.get(done.correlationId)).toEqual(done);
      expect((await again.submissions.list({ partnerId: PARTNER })).length).toBe(3);
      const storedSelfie = await again.submissions.image(awaiting.correlationId, 'SELFIE');
      expect(storedSelfie?.bytes.equals(selfie.bytes)).toBe(true);
      expect(storedSelfie).toMatchObject({
        etag: selfie.etag,
        contentType: selfie.contentType,
        size: selfie.bytes.length,
      });
      expect((await again.submissions.imageMeta(awaiting.correlationId, 'DOCUMENT'))?.etag).toBe(
        document.etag,
      );
      expect(await again.deliveries.get(record.id)).toEqual(attempted);
      expect(await again.idempotency.claim(PARTNER, key, clock.now())).toEqual({ kind: 'answered', answer });
      // A claim is a request being answered. Where the store is one process's, a restart ended that
      // request, so the key is free again at once; where instances share it, the claimer may be alive.
      expect(await again.idempotency.claim(PARTNER, inFlight, clock.now())).toEqual({
        kind: opened.sharedAcrossInstances ? 'in-flight' : 'claimed',
      });
      expect(await again.clocks.get(PARTNER)).toEqual(frozenClock);
      expect(await again.clocks.get(OTHER_PARTNER)).toEqual(movedClock);
      expect(await again.scenarios.queue(PARTNER)).toEqual([
        { scenario: 'low-score', remaining: 1 },
        { scenario: 'callback-fails', remaining: 1 },
      ]);
      expect(await again.scenarios.count(awaiting.correlationId, ['polls', 'fault:confirm'])).toEqual([3, 2]);
      const maker = secretMaker('again');
      expect(await again.secrets.getOrCreate('token-signing-key', maker.create)).toBe(key1);
      expect(await again.secrets.getOrCreate('bucket-signing-secret', maker.create)).toBe(key2);
      expect(maker.made).toEqual([]);
      expect(await again.work.pending(PARTNER)).toBe(2);
      // And it goes on from there: the transitions still apply to what survived.
      expect(await again.submissions.putImage(waiting.correlationId, 'SELFIE', upload('late'))).toBe(
        'locked',
      );
      expect((await again.submissions.confirm(awaiting.correlationId, PARTNER, clock.now(), null)).kind).toBe(
        'started',
      );
    });

    it('pending work is run by the reopened store once it starts', async ({ skip }) => {
      const opened = await stores.open();
      if (!opened.persistent) skip(NOT_PERSISTENT);
      const { store, clock } = opened;
      const due = await processing(store, clock, clock.now());
      const { delivery } = await completed(store, clock);
      await opened.close(store);
      const again = await opened.reopen();
      const r = recordingHandlers(again, clock);
      startWork(again, r.handlers);
      await eventually(() => r.callsOf(due.correlationId).length > 0, 'the reopened store to process');
      await eventually(() => r.callsOf(delivery?.id ?? '').length > 0, 'the reopened store to deliver');
      expect(r.callsOf(due.correlationId)[0]?.kind).toBe('process');
      expect(r.callsOf(delivery?.id ?? '')[0]?.kind).toBe('deliver');
    });
  });

  describe('several instances on one storage', () => {
    async function twoInstances(skip: (note: string) => never, overrides = {}) {
      const opened: OpenedStore = await stores.open(overrides);
      if (!opened.sharedAcrossInstances) skip(NOT_SHARED);
      return { ...opened, second: await opened.reopen() };
    }

    it('a second instance sees what the first wrote, and a frozen clock at the same instant', async ({
      skip,
    }) => {
      const { store, second, clock } = await twoInstances(skip, { initialClock: 'frozen' });
      const { submission, selfie } = await uploaded(store, clock);
      expect(await second.submissions.get(submission.correlationId)).toEqual(submission);
      expect(
        (await second.submissions.image(submission.correlationId, 'SELFIE'))?.bytes.equals(selfie.bytes),
      ).toBe(true);
      const frozenClock = await store.clocks.get(PARTNER);
      clock.advance(5_000);
      expect(await second.clocks.get(PARTNER)).toEqual(frozenClock);
      const secondFirst = await second.clocks.get(OTHER_PARTNER);
      clock.advance(5_000);
      expect(await store.clocks.get(OTHER_PARTNER)).toEqual(secondFirst);
      await second.scenarios.enqueue(PARTNER, 'low-score', 1);
      expect(await store.scenarios.queue(PARTNER)).toEqual([{ scenario: 'low-score', remaining: 1 }]);
    });

    it('the one-step transitions hold across instances', async ({ skip }) => {
      const { store, second, clock } = await twoInstances(skip);
      const on = either(store, second);

      const { submission } = await uploaded(store, clock);
      const confirms = await concurrently(10, (i) =>
        turns(i % 3).then(() =>
          on(i).submissions.confirm(submission.correlationId, PARTNER, clock.now(), null),
        ),
      );
      expect(confirms.filter((a) => a.kind === 'started')).toHaveLength(1);

      const started = await processing(store, clock, null);
      const runs = Array.from({ length: 10 }, (_, i) => ({
        finished: scored(started, clock, 60 + i),
        delivery: deliveryOf(started, clock),
      }));
      const finishes = await concurrently(10, (i) =>
        turns(i % 3).then(() =>
          on(i).submissions.finish(runs[i]?.finished ?? started, runs[i]?.delivery ?? null),
        ),
      );
      const winner = finishes.findIndex((a) => a.kind === 'finished');
      expect(finishes.filter((a) => a.kind === 'finished')).toHaveLength(1);
      expect(
        (await second.deliveries.list({ correlationId: started.correlationId })).map((d) => d.id),
      ).toEqual([runs[winner]?.delivery.id]);

      const record = await second.deliveries.get(runs[winner]?.delivery.id ?? '');
      if (!record) throw new Error('the winning delivery reads as absent');
      const sets = await concurrently(10, (i) =>
        turns(i % 3).then(() =>
          on(i).deliveries.compareAndSet(
            afterAttempt(record, attempt(clock, false), [60_000], clock.now()),
            record.revision,
          ),
        ),
      );
      expect(sets.filter(Boolean)).toHaveLength(1);

      const key = idempotencyKey(PARTNER);
      const claims = await concurrently(10, (i) =>
        turns(i % 3).then(() => on(i).idempotency.claim(PARTNER, key, clock.now())),
      );
      expect(claims.filter((c) => c.kind === 'claimed')).toHaveLength(1);

      await store.scenarios.enqueue(PARTNER, 'low-score', 3);
      const taken = await concurrently(10, (i) => turns(i % 3).then(() => on(i).scenarios.take(PARTNER)));
      expect(taken.filter((s) => s !== undefined)).toHaveLength(3);

      const counted = await created(store, clock);
      const values = await concurrently(20, (i) =>
        turns(i % 3).then(() => on(i).scenarios.count(counted.correlationId, ['polls'])),
      );
      expect(values.map((v) => v[0]).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(
        Array.from({ length: 20 }, (_, i) => i + 1),
      );

      await concurrently(10, (i) =>
        turns(i % 3).then(() =>
          on(i).clocks.update(PARTNER, (s) => ({ ...s, offsetMs: s.offsetMs + 1_000 })),
        ),
      );
      expect(await store.clocks.get(PARTNER)).toEqual({ offsetMs: 10_000, frozenAtMs: null });

      const secrets = await concurrently(6, (i) =>
        turns(i % 3).then(() => on(i).secrets.getOrCreate('token-signing-key', secretMaker(`i${i}`).create)),
      );
      expect(new Set(secrets).size).toBe(1);
      expect(await second.secrets.getOrCreate('token-signing-key', secretMaker('late').create)).toBe(
        secrets[0],
      );
    });

    it('putImage racing confirm on another instance: a stored image is the one confirm recorded', async ({
      skip,
    }) => {
      const { store, second, clock } = await twoInstances(skip);
      const problems: string[] = [];
      await Promise.all(
        Array.from({ length: 16 }, async (_, round) => {
          const submission = await created(store, clock);
          const id = submission.correlationId;
          const previous = upload(`previous ${round}`);
          const fresh = upload(`fresh ${round}`);
          await putOrFail(store, id, 'DOCUMENT', upload('document'));
          await putOrFail(store, id, 'SELFIE', previous);
          const [put, confirm] = await Promise.all([
            turns(round % 3).then(() =>
              (round % 2 ? store : second).submissions.putImage(id, 'SELFIE', fresh),
            ),
            turns((round + 1) % 3).then(() =>
              (round % 2 ? second : store).submissions.confirm(id, PARTNER, clock.now(), null),
            ),
          ]);
          const confirmed =
            confirm.kind === 'started' ? confirm.submission.confirmedUploads.SELFIE : undefined;
          const expected = put === 'stored' ? fresh.etag : previous.etag;
          if (confirmed !== expected)
            problems.push(`round ${round}: put ${put}, confirm recorded ${confirmed}`);
          const stored = await store.submissions.imageMeta(id, 'SELFIE');
          if (stored?.etag !== confirmed)
            problems.push(`round ${round}: stored ${stored?.etag}, confirmed ${confirmed}`);
        }),
      );
      expect(problems).toEqual([]);
    });

    it("a change made through a second instance reaches the first one's subscriber", async ({ skip }) => {
      const { store, second, clock } = await twoInstances(skip);
      const feed = watch(store);
      const submission = await created(second, clock);
      await feed.next(
        { kind: 'submission', correlationId: submission.correlationId, partnerId: PARTNER },
        0,
        'the change from the second instance',
      );
      const entry = await second.journal.record(
        journalEntry(clock, { correlationId: submission.correlationId }),
      );
      await feed.next(
        { kind: 'journal', journalId: entry.id, partnerId: PARTNER, correlationId: submission.correlationId },
        0,
        'the journal change from the second instance',
      );
    });

    it('sweepExpired on two instances at once deletes and counts each thing once', async ({ skip }) => {
      const { store, second, clock } = await twoInstances(skip, {
        retention: { imageSeconds: 60, submissionSeconds: 120 },
      });
      for (let i = 0; i < 4; i++) await uploaded(store, clock);
      for (let i = 0; i < 3; i++) {
        const key = idempotencyKey(PARTNER);
        await store.idempotency.claim(PARTNER, key, clock.now());
        await store.idempotency.complete(key, storedAnswer(clock));
      }
      const sweepBoth = async () => {
        const swept = await concurrently(6, (i) =>
          turns(i % 3).then(() => (i % 2 ? second : store).sweepExpired()),
        );
        return swept.reduce(
          (sum, s) => ({
            images: sum.images + s.images,
            submissions: sum.submissions + s.submissions,
            answers: sum.answers + s.answers,
          }),
          { images: 0, submissions: 0, answers: 0 },
        );
      };
      clock.advance(61_000);
      expect(await sweepBoth()).toEqual({ images: 8, submissions: 0, answers: 0 });
      clock.advance(60_000);
      expect(await sweepBoth()).toEqual({ images: 0, submissions: 4, answers: 3 });
    });

    it('journal ids sort by arrival across instances, and both list every entry', async ({ skip }) => {
      const { store, second, clock } = await twoInstances(skip);
      const recorded = [];
      for (let i = 0; i < 12; i++)
        recorded.push(await either(store, second)(i).journal.record(journalEntry(clock, { path: `/p${i}` })));
      const ids = recorded.map((e) => e.id);
      expect([...ids].sort(compareJournalIds)).toEqual(ids);
      expect((await store.journal.list({})).map((e) => e.id)).toEqual([...ids].reverse());
      expect((await second.journal.list({})).map((e) => e.id)).toEqual([...ids].reverse());
    });

    it('work started on two instances runs every due item', async ({ skip }) => {
      const { store, second, clock } = await twoInstances(skip);
      const due: Submission[] = [];
      for (let i = 0; i < 8; i++) due.push(await processing(i % 2 ? second : store, clock, clock.now()));
      const r1 = recordingHandlers(store, clock);
      const r2 = recordingHandlers(second, clock);
      startWork(store, r1.handlers);
      startWork(second, r2.handlers);
      await eventually(async () => {
        const states = await Promise.all(
          due.map(async (s) => (await store.submissions.get(s.correlationId))?.status),
        );
        return states.every((s) => s === 'COMPLETED');
      }, 'every due item to be processed by one instance or the other');
      for (const s of due) {
        expect(r1.callsOf(s.correlationId).length + r2.callsOf(s.correlationId).length).toBeGreaterThan(0);
      }
    });
  });
}
