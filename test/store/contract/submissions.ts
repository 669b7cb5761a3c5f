import { describe, expect, it } from 'vitest';
import type { Submission } from '../../../src/domain/Submission.ts';
import type { NewSubmission } from '../../../src/domain/submissionLifecycle.ts';
import type { SandboxStore } from '../../../src/store/SandboxStore.ts';
import {
  created,
  deliveryOf,
  idempotencyKey,
  OTHER_PARTNER,
  PARTNER,
  processing,
  putOrFail,
  scored,
  storedAnswer,
  upload,
  uploaded,
} from './fixtures.ts';
import type { SettableClock, Stores } from './harness.ts';

const ids = (submissions: Submission[]) => submissions.map((s) => s.correlationId);

export function submissionContract(stores: Stores): void {
  describe('submissions', () => {
    it('create then get gives the submission back as it was given; an unknown id reads undefined', async () => {
      const { store, clock } = await stores.open();
      const submission = await created(store, clock, PARTNER, {
        referenceId: 'ref-1',
        scenario: { name: 'low-score', source: 'prefer-header' },
      });
      expect(await store.submissions.get(submission.correlationId)).toEqual(submission);
      expect(await store.submissions.get('00000000-0000-4000-8000-000000000000')).toBeUndefined();
    });

    it('list filters by partner, status, scenario, correlationId and referenceId, newest (createdAt) first', async () => {
      const { store, clock } = await stores.open();
      // Created out of order, so "newest first" cannot come from insertion order.
      const b = await at(store, clock, 30, PARTNER, { referenceId: 'ref-b' });
      const a = await at(store, clock, 40, PARTNER, {
        referenceId: 'ref-a',
        scenario: { name: 'low-score', source: 'admin-queue' },
      });
      const c = await at(store, clock, 20, PARTNER, {
        scenario: { name: 'low-score', source: 'reference-id' },
      });
      const d = await at(store, clock, 10, OTHER_PARTNER, { referenceId: 'ref-b' });
      const confirmed = await store.submissions.confirm(c.correlationId, PARTNER, clock.now(), null);
      expect(confirmed.kind).toBe('started');
      if (confirmed.kind !== 'started') return;
      const finished = await store.submissions.finish(scored(confirmed.submission, clock), null);
      expect(finished.kind).toBe('finished');
      await store.submissions.confirm(b.correlationId, PARTNER, clock.now(), null);

      expect(ids(await store.submissions.list({ partnerId: PARTNER }))).toEqual([
        c.correlationId,
        b.correlationId,
        a.correlationId,
      ]);
      expect(ids(await store.submissions.list({ partnerId: OTHER_PARTNER }))).toEqual([d.correlationId]);
      expect(ids(await store.submissions.list({ status: 'PROCESSING' }))).toEqual([b.correlationId]);
      expect(ids(await store.submissions.list({ status: 'COMPLETED' }))).toEqual([c.correlationId]);
      expect(ids(await store.submissions.list({ status: 'AWAITING_UPLOAD' }))).toEqual([
        d.correlationId,
        a.correlationId,
      ]);
      expect(ids(await store.submissions.list({ scenario: 'low-score' }))).toEqual([
        c.correlationId,
        a.correlationId,
      ]);
      expect(ids(await store.submissions.list({ scenario: 'no-such-scenario' }))).toEqual([]);
      expect(ids(await store.submissions.list({ correlationId: a.correlationId }))).toEqual([
        a.correlationId,
      ]);
      expect(ids(await store.submissions.list({ referenceId: 'ref-b' }))).toEqual([
        d.correlationId,
        b.correlationId,
      ]);
      expect(
        ids(await store.submissions.list({ referenceId: 'ref-b', partnerId: PARTNER, status: 'PROCESSING' })),
      ).toEqual([b.correlationId]);
      expect(await store.submissions.list({ partnerId: 'nobody' })).toEqual([]);
    });

    it('list without a filter gives every partner, newest first; limit keeps the newest', async () => {
      const { store, clock } = await stores.open();
      const made: Submission[] = [];
      for (const [secondsAgo, partner] of [
        [50, PARTNER],
        [10, OTHER_PARTNER],
        [30, PARTNER],
        [20, OTHER_PARTNER],
        [40, PARTNER],
      ] as const) {
        made.push(await at(store, clock, secondsAgo, partner));
      }
      const newestFirst = [...made].sort((x, y) => (x.createdAt < y.createdAt ? 1 : -1));
      expect(ids(await store.submissions.list({}))).toEqual(ids(newestFirst));
      expect(ids(await store.submissions.list({ limit: 2 }))).toEqual(ids(newestFirst.slice(0, 2)));
      expect(ids(await store.submissions.list({ partnerId: PARTNER, limit: 2 }))).toEqual(
        ids(newestFirst.filter((s) => s.partnerId === PARTNER).slice(0, 2)),
      );
      expect(await store.submissions.list({ limit: 10 })).toHaveLength(5);
    });

    it('records are copied in and out: mutating what was given or got changes nothing stored', async () => {
      const { store, clock } = await stores.open();
      const submission = await created(store, clock, PARTNER, { referenceId: 'kept' });
      const original = structuredClone(submission);
      submission.status = 'COMPLETED';
      submission.contentTypes.SELFIE = 'image/png';
      expect(await store.submissions.get(original.correlationId)).toEqual(original);

      const got = await store.submissions.get(original.correlationId);
      if (!got) throw new Error('the submission just created reads as absent');
      got.referenceId = 'changed';
      got.confirmedUploads.SELFIE = '"changed"';
      const [listed] = await store.submissions.list({ partnerId: PARTNER });
      if (!listed) throw new Error('list lost the submission');
      listed.status = 'FAILED';
      expect(await store.submissions.get(original.correlationId)).toEqual(original);
      expect(await store.submissions.list({ partnerId: PARTNER })).toEqual([original]);
    });

    it('a submission past its retention reads as absent (get, list, images) before any sweep', async () => {
      const { store, clock } = await stores.open({ retention: { imageSeconds: 60, submissionSeconds: 120 } });
      const { submission } = await uploaded(store, clock);
      clock.advance(90_000);
      const fresh = await created(store, clock);
      clock.advance(29_000);
      expect(await store.submissions.get(submission.correlationId)).toBeDefined();
      clock.advance(2_000);
      expect(await store.submissions.get(submission.correlationId)).toBeUndefined();
      expect(ids(await store.submissions.list({ partnerId: PARTNER }))).toEqual([fresh.correlationId]);
      expect(ids(await store.submissions.list({}))).toEqual([fresh.correlationId]);
      expect(await store.submissions.image(submission.correlationId, 'SELFIE')).toBeNull();
      expect(await store.submissions.imageMeta(submission.correlationId, 'DOCUMENT')).toBeNull();
    });

    it('an expired submission takes its delivery with it: get and list no longer show it', async () => {
      const { store, clock } = await stores.open({ retention: { imageSeconds: 60, submissionSeconds: 120 } });
      const started = await processing(store, clock, null);
      const delivery = deliveryOf(started, clock);
      expect((await store.submissions.finish(scored(started, clock), delivery)).kind).toBe('finished');
      expect(await store.deliveries.get(delivery.id)).toBeDefined();
      clock.advance(121_000);
      expect(await store.deliveries.get(delivery.id)).toBeUndefined();
      expect(await store.deliveries.list({ partnerId: PARTNER })).toEqual([]);
      expect(await store.deliveries.list({ correlationId: started.correlationId })).toEqual([]);
    });

    it('sweepExpired deletes expired images, then expired submissions and answers, each counted once', async () => {
      const { store, clock } = await stores.open({ retention: { imageSeconds: 60, submissionSeconds: 120 } });
      const { submission: old } = await uploaded(store, clock);
      const key = idempotencyKey(PARTNER);
      expect(await store.idempotency.claim(PARTNER, key, clock.now())).toEqual({ kind: 'claimed' });
      await store.idempotency.complete(key, storedAnswer(clock));
      clock.advance(30_000);
      const { submission: younger } = await uploaded(store, clock);

      expect(await store.sweepExpired()).toEqual({ images: 0, submissions: 0, answers: 0 });
      clock.advance(31_000); // old's images are 61 s old, younger's 31 s
      expect(await store.sweepExpired()).toEqual({ images: 2, submissions: 0, answers: 0 });
      expect(await store.submissions.get(old.correlationId)).toBeDefined();
      expect(await store.submissions.imageMeta(younger.correlationId, 'SELFIE')).not.toBeNull();
      clock.advance(60_000); // old is 121 s old; younger's images 91 s
      expect(await store.sweepExpired()).toEqual({ images: 2, submissions: 1, answers: 1 });
      expect(await store.submissions.get(old.correlationId)).toBeUndefined();
      expect(await store.submissions.get(younger.correlationId)).toBeDefined();
      expect(await store.idempotency.claim(PARTNER, key, clock.now())).toEqual({ kind: 'claimed' });
      expect(await store.sweepExpired()).toEqual({ images: 0, submissions: 0, answers: 0 });
      // A new upload to the surviving submission is stored afresh, not shadowed by the swept one.
      const again = upload('again');
      await putOrFail(store, younger.correlationId, 'SELFIE', again);
      expect((await store.submissions.imageMeta(younger.correlationId, 'SELFIE'))?.etag).toBe(again.etag);
    });
  });
}

/** A submission created `secondsAgo` before now, so tests control the createdAt order. */
async function at(
  store: SandboxStore,
  clock: SettableClock,
  secondsAgo: number,
  partnerId: string,
  fields: Partial<NewSubmission> = {},
): Promise<Submission> {
  const submission = await created(store, clock, partnerId, {
    ...fields,
    createdAt: new Date(clock.now().getTime() - secondsAgo * 1000),
  });
  await putOrFail(store, submission.correlationId, 'SELFIE', upload('selfie'));
  await putOrFail(store, submission.correlationId, 'DOCUMENT', upload('document'));
  return submission;
}
