import { describe, expect, it } from 'vitest';
import { StorageError } from '../../../src/store/StorageError.ts';
import { created, newSubmission, PARTNER, upload, uploaded } from './fixtures.ts';
import { type Stores, within } from './harness.ts';

export function failureContract(stores: Stores): void {
  describe('storage failures', () => {
    it('ping resolves while the storage can be reached', async () => {
      const { store } = await stores.open();
      await expect(within(store.ping(), 10_000, 'ping')).resolves.toBeUndefined();
    });

    it('with the storage cut off, ping and writes reject with StorageError, and nothing was changed', async ({
      skip,
    }) => {
      const { store, clock, cutOff } = await stores.open();
      if (!cutOff) return skip('this storage cannot be cut off (memory)');
      const { submission, selfie } = await uploaded(store, clock);
      const existing = await created(store, clock);
      const lost = newSubmission(clock);

      const restore = await cutOff();
      const outcomes: Array<[string, unknown]> = [];
      const attempt = async (what: string, call: () => Promise<unknown>) => {
        outcomes.push([
          what,
          await within(call(), 15_000, what).then(
            () => 'resolved',
            (error: unknown) => error,
          ),
        ]);
      };
      try {
        await attempt('ping', () => store.ping());
        await attempt('create', () => store.submissions.create(lost));
        await attempt('putImage', () =>
          store.submissions.putImage(submission.correlationId, 'SELFIE', upload('lost')),
        );
        await attempt('confirm', () =>
          store.submissions.confirm(submission.correlationId, PARTNER, clock.now(), null),
        );
        await attempt('count', () => store.scenarios.count(existing.correlationId, ['polls']));
      } finally {
        await restore();
      }
      for (const [what, outcome] of outcomes) {
        expect(outcome, `${what} while cut off`).toBeInstanceOf(StorageError);
      }

      expect(await store.submissions.get(lost.correlationId)).toBeUndefined();
      const after = await store.submissions.get(submission.correlationId);
      expect(after).toEqual(submission);
      expect((await store.submissions.imageMeta(submission.correlationId, 'SELFIE'))?.etag).toBe(selfie.etag);
      expect(await store.scenarios.count(existing.correlationId, ['polls'])).toEqual([1]);
      await within(store.ping(), 10_000, 'ping after the storage is back');
    });
  });
}
