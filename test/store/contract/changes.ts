import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { afterAttempt } from '../../../src/domain/CallbackDelivery.ts';
import type { SandboxStore, StateChange } from '../../../src/store/SandboxStore.ts';
import {
  attempt,
  completed,
  created,
  journalEntry,
  PARTNER,
  processing,
  putOrFail,
  scored,
  upload,
} from './fixtures.ts';
import { eventually, type Stores, sleep } from './harness.ts';

/** Records every change a store's feed reports, with a way to wait for one. */
export function watch(store: SandboxStore) {
  const seen: StateChange[] = [];
  const unsubscribe = store.changes.subscribe((change) => seen.push(change));
  const count = (expected: StateChange) => seen.filter((c) => isDeepStrictEqual(c, expected)).length;
  return {
    seen,
    unsubscribe,
    count,
    /** Waits until `expected` has been seen more than `already` times; returns how often it has been. */
    async next(expected: StateChange, already: number, what: string, timeoutMs = 10_000) {
      await eventually(
        () => count(expected) > already,
        () => `${what}: ${JSON.stringify(expected)} (seen: ${JSON.stringify(seen)})`,
        timeoutMs,
      );
      await sleep(30); // a duplicate of the same change lands now, not as the next step's
      return count(expected);
    },
  };
}

export function changeContract(stores: Stores): void {
  describe('changes', () => {
    it('a subscriber sees a submission change on create, putImage, confirm and finish', async () => {
      const { store, clock } = await stores.open();
      const feed = watch(store);
      const submission = await created(store, clock);
      const change: StateChange = {
        kind: 'submission',
        correlationId: submission.correlationId,
        partnerId: PARTNER,
      };
      let n = await feed.next(change, 0, 'a change on create');
      await putOrFail(store, submission.correlationId, 'SELFIE', upload('selfie'));
      n = await feed.next(change, n, 'a change on putImage');
      await putOrFail(store, submission.correlationId, 'DOCUMENT', upload('document'));
      n = await feed.next(change, n, 'a change on the second putImage');
      const confirmed = await store.submissions.confirm(submission.correlationId, PARTNER, clock.now(), null);
      if (confirmed.kind !== 'started') throw new Error(`confirm answered ${confirmed.kind}`);
      n = await feed.next(change, n, 'a change on confirm');
      await store.submissions.finish(scored(confirmed.submission, clock), null);
      await feed.next(change, n, 'a change on finish');
      expect(feed.seen.every((c) => c.kind !== 'submission' || c.partnerId === PARTNER)).toBe(true);
    });

    it('a callback-attempt change when compareAndSet records an attempt', async () => {
      const { store, clock } = await stores.open();
      const { delivery } = await completed(store, clock);
      const record = await store.deliveries.get(delivery?.id ?? '');
      if (!record) throw new Error('setting up: no delivery');
      const feed = watch(store);
      const next = afterAttempt(record, attempt(clock, false), [60_000], clock.now());
      expect(await store.deliveries.compareAndSet(next, record.revision)).toBe(true);
      await feed.next(
        {
          kind: 'callback-attempt',
          correlationId: record.correlationId,
          partnerId: PARTNER,
          webhookId: record.id,
        },
        0,
        'a callback-attempt change',
      );
    });

    it('a journal change on record, naming the entry', async () => {
      const { store, clock } = await stores.open();
      const feed = watch(store);
      const entry = await store.journal.record(journalEntry(clock, { correlationId: 'c-1' }));
      await feed.next(
        { kind: 'journal', journalId: entry.id, partnerId: PARTNER, correlationId: 'c-1' },
        0,
        'a journal change',
      );
      const anonymous = await store.journal.record(journalEntry(clock, { partnerId: null }));
      await feed.next(
        { kind: 'journal', journalId: anonymous.id, partnerId: null, correlationId: null },
        0,
        'a journal change of no partner',
      );
    });

    it('unsubscribe stops the changes to that listener only', async () => {
      const { store, clock } = await stores.open();
      const gone = watch(store);
      const staying = watch(store);
      await processing(store, clock, null);
      await eventually(() => gone.seen.length > 0 && staying.seen.length > 0, 'changes to both listeners');
      await sleep(50);
      gone.unsubscribe();
      const before = gone.seen.length;
      const submission = await created(store, clock);
      await staying.next(
        { kind: 'submission', correlationId: submission.correlationId, partnerId: PARTNER },
        0,
        'the change to the listener still subscribed',
      );
      await store.journal.record(journalEntry(clock));
      await eventually(() => staying.seen.some((c) => c.kind === 'journal'), 'the journal change');
      await sleep(50);
      expect(gone.seen.length).toBe(before);
    });
  });
}
