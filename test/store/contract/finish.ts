import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '../../../src/domain/outcome.ts';
import { recordFailure } from '../../../src/domain/submissionLifecycle.ts';
import { deliveryOf, PARTNER, processing, scored, uploaded } from './fixtures.ts';
import { concurrently, type Stores, turns } from './harness.ts';

export function finishContract(stores: Stores): void {
  describe('finish', () => {
    it('finish writes the finished submission with its delivery, once; then it is not-processing', async () => {
      const { store, clock } = await stores.open();
      const started = await processing(store, clock, clock.now());
      const finished = scored(started, clock, 91);
      const delivery = deliveryOf(started, clock);
      expect(await store.submissions.finish(finished, delivery)).toEqual({
        kind: 'finished',
        submission: finished,
      });
      expect(await store.submissions.get(started.correlationId)).toEqual(finished);
      expect(await store.deliveries.get(delivery.id)).toEqual({ ...delivery, revision: expect.any(Number) });

      const again = recordFailure(started, 'engine gone', 'contract-test', DEFAULT_THRESHOLDS, clock.now());
      const second = deliveryOf(started, clock);
      expect(await store.submissions.finish(again, second)).toEqual({
        kind: 'not-processing',
        submission: finished,
      });
      expect(await store.submissions.get(started.correlationId)).toEqual(finished);
      expect(await store.deliveries.get(second.id)).toBeUndefined();
      expect(
        (await store.deliveries.list({ correlationId: started.correlationId })).map((d) => d.id),
      ).toEqual([delivery.id]);
    });

    it('finish with a null delivery finishes without creating one', async () => {
      const { store, clock } = await stores.open();
      const started = await processing(store, clock, clock.now());
      const failed = recordFailure(
        started,
        'model did not load',
        'contract-test',
        DEFAULT_THRESHOLDS,
        clock.now(),
      );
      expect(await store.submissions.finish(failed, null)).toEqual({ kind: 'finished', submission: failed });
      expect(await store.submissions.get(started.correlationId)).toEqual(failed);
      expect(await store.deliveries.list({ correlationId: started.correlationId })).toEqual([]);
    });

    it('finish is not-processing, writing nothing, for an unknown, awaiting, expired or reset submission', async () => {
      const { store, clock } = await stores.open({
        retention: { imageSeconds: 600, submissionSeconds: 1200 },
      });
      const { submission: awaiting } = await uploaded(store, clock);
      const early = deliveryOf(awaiting, clock);
      expect(await store.submissions.finish(scored(awaiting, clock), early)).toEqual({
        kind: 'not-processing',
        submission: awaiting,
      });
      expect(await store.submissions.get(awaiting.correlationId)).toEqual(awaiting);
      expect(await store.deliveries.get(early.id)).toBeUndefined();

      const ghost = {
        ...awaiting,
        correlationId: '00000000-0000-4000-8000-000000000000',
        status: 'PROCESSING' as const,
      };
      expect(await store.submissions.finish(scored(ghost, clock), deliveryOf(ghost, clock))).toEqual({
        kind: 'not-processing',
        submission: undefined,
      });

      const wiped = await processing(store, clock, null);
      await store.reset(PARTNER);
      const afterReset = deliveryOf(wiped, clock);
      expect(await store.submissions.finish(scored(wiped, clock), afterReset)).toEqual({
        kind: 'not-processing',
        submission: undefined,
      });
      expect(await store.deliveries.get(afterReset.id)).toBeUndefined();

      const expiring = await processing(store, clock, null);
      clock.advance(1_201_000);
      const tooLate = deliveryOf(expiring, clock);
      expect(await store.submissions.finish(scored(expiring, clock), tooLate)).toEqual({
        kind: 'not-processing',
        submission: undefined,
      });
      expect(await store.deliveries.get(tooLate.id)).toBeUndefined();
    });

    it('10 concurrent finishes of one submission: one finished, and its delivery is the only one', async () => {
      const { store, clock } = await stores.open();
      for (let round = 0; round < 3; round++) {
        const started = await processing(store, clock, clock.now());
        const runs = Array.from({ length: 10 }, (_, i) => ({
          finished: scored(started, clock, 60 + i),
          delivery: deliveryOf(started, clock),
        }));
        const answers = await concurrently(runs.length, (i) =>
          turns(i % 3).then(() =>
            store.submissions.finish(runs[i]?.finished ?? started, runs[i]?.delivery ?? null),
          ),
        );
        const winners = answers.flatMap((a, i) => (a.kind === 'finished' ? [i] : []));
        expect(winners).toHaveLength(1);
        const winner = runs[winners[0] ?? 0];
        const stored = await store.submissions.get(started.correlationId);
        expect(stored).toEqual(winner?.finished);
        const deliveries = await store.deliveries.list({ correlationId: started.correlationId });
        expect(deliveries.map((d) => d.id)).toEqual([winner?.delivery.id]);
        for (const answer of answers) {
          if (answer.kind === 'not-processing') expect(answer.submission).toEqual(stored);
        }
      }
    });
  });
}
