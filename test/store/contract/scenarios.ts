import { describe, expect, it } from 'vitest';
import { created, OTHER_PARTNER, PARTNER } from './fixtures.ts';
import { concurrently, type Stores, turns } from './harness.ts';

export function scenarioContract(stores: Stores): void {
  describe('scenario queue and counters', () => {
    it('enqueue appends and returns the queue; take uses the first entry up, then the next', async () => {
      const { store } = await stores.open();
      expect(await store.scenarios.queue(PARTNER)).toEqual([]);
      expect(await store.scenarios.take(PARTNER)).toBeUndefined();
      expect(await store.scenarios.enqueue(PARTNER, 'low-score', 2)).toEqual([
        { scenario: 'low-score', remaining: 2 },
      ]);
      expect(await store.scenarios.enqueue(PARTNER, 'callback-fails', 1)).toEqual([
        { scenario: 'low-score', remaining: 2 },
        { scenario: 'callback-fails', remaining: 1 },
      ]);
      await store.scenarios.enqueue(OTHER_PARTNER, 'engine-error', 1);

      expect(await store.scenarios.take(PARTNER)).toBe('low-score');
      expect(await store.scenarios.queue(PARTNER)).toEqual([
        { scenario: 'low-score', remaining: 1 },
        { scenario: 'callback-fails', remaining: 1 },
      ]);
      expect(await store.scenarios.take(PARTNER)).toBe('low-score');
      expect(await store.scenarios.queue(PARTNER)).toEqual([{ scenario: 'callback-fails', remaining: 1 }]);
      expect(await store.scenarios.take(PARTNER)).toBe('callback-fails');
      expect(await store.scenarios.take(PARTNER)).toBeUndefined();
      expect(await store.scenarios.queue(PARTNER)).toEqual([]);
      expect(await store.scenarios.queue(OTHER_PARTNER)).toEqual([
        { scenario: 'engine-error', remaining: 1 },
      ]);
    });

    it("clearQueue empties one partner's queue only", async () => {
      const { store } = await stores.open();
      await store.scenarios.enqueue(PARTNER, 'low-score', 3);
      await store.scenarios.enqueue(OTHER_PARTNER, 'engine-error', 1);
      await store.scenarios.clearQueue(PARTNER);
      expect(await store.scenarios.queue(PARTNER)).toEqual([]);
      expect(await store.scenarios.take(PARTNER)).toBeUndefined();
      expect(await store.scenarios.queue(OTHER_PARTNER)).toEqual([
        { scenario: 'engine-error', remaining: 1 },
      ]);
    });

    it('concurrent takes of a queue of N uses: exactly N callers get a scenario', async () => {
      const { store } = await stores.open();
      await store.scenarios.enqueue(PARTNER, 'low-score', 3);
      await store.scenarios.enqueue(PARTNER, 'callback-fails', 2);
      const taken = await concurrently(20, (i) => turns(i % 3).then(() => store.scenarios.take(PARTNER)));
      const got = taken.filter((s): s is string => s !== undefined);
      expect(got.sort()).toEqual(['callback-fails', 'callback-fails', 'low-score', 'low-score', 'low-score']);
      expect(await store.scenarios.queue(PARTNER)).toEqual([]);
    });

    it('count adds one to each named counter of a submission and returns the new values in order', async () => {
      const { store, clock } = await stores.open();
      const submission = await created(store, clock);
      const other = await created(store, clock);
      const id = submission.correlationId;
      expect(await store.scenarios.count(id, ['polls'])).toEqual([1]);
      expect(await store.scenarios.count(id, ['polls', 'fault:confirm'])).toEqual([2, 1]);
      expect(await store.scenarios.count(id, ['fault:confirm', 'fault:upload', 'polls'])).toEqual([2, 1, 3]);
      expect(await store.scenarios.count(other.correlationId, ['polls'])).toEqual([1]);
    });

    it('50 concurrent counts of one counter return 1..50, each once', async () => {
      const { store, clock } = await stores.open();
      const submission = await created(store, clock);
      const values = await concurrently(50, (i) =>
        turns(i % 3).then(() => store.scenarios.count(submission.correlationId, ['polls', 'fault:status'])),
      );
      const polls = values.map((v) => v[0] ?? 0).sort((a, b) => a - b);
      expect(polls).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(values.every(([a, b]) => a === b)).toBe(true);
      expect(await store.scenarios.count(submission.correlationId, ['polls'])).toEqual([51]);
    });

    it('count of an unknown or expired submission counts nothing and returns zeros', async () => {
      const { store, clock } = await stores.open({ retention: { imageSeconds: 60, submissionSeconds: 120 } });
      expect(
        await store.scenarios.count('00000000-0000-4000-8000-000000000000', ['polls', 'fault:x']),
      ).toEqual([0, 0]);
      const submission = await created(store, clock);
      expect(await store.scenarios.count(submission.correlationId, ['polls'])).toEqual([1]);
      clock.advance(121_000);
      expect(await store.scenarios.count(submission.correlationId, ['polls', 'fault:x'])).toEqual([0, 0]);
      expect(await store.scenarios.count(submission.correlationId, ['polls'])).toEqual([0]);
    });
  });
}
