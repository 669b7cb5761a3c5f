import { describe, expect, it } from 'vitest';
import { confirmUploads } from '../../../src/domain/submissionLifecycle.ts';
import {
  completed,
  created,
  OTHER_PARTNER,
  PARTNER,
  processing,
  putOrFail,
  upload,
  uploaded,
} from './fixtures.ts';
import { concurrently, type Stores, turns } from './harness.ts';

export function confirmContract(stores: Stores): void {
  describe('confirm and dueProcessing', () => {
    it('confirm is not-found for another partner, an unknown or an expired submission, and changes nothing', async () => {
      const { store, clock } = await stores.open({
        retention: { imageSeconds: 600, submissionSeconds: 1200 },
      });
      const { submission } = await uploaded(store, clock);
      expect(
        await store.submissions.confirm(submission.correlationId, OTHER_PARTNER, clock.now(), null),
      ).toEqual({
        kind: 'not-found',
      });
      expect(await store.submissions.get(submission.correlationId)).toEqual(submission);
      expect(
        await store.submissions.confirm('00000000-0000-4000-8000-000000000000', PARTNER, clock.now(), null),
      ).toEqual({ kind: 'not-found' });
      clock.advance(1_201_000);
      expect(await store.submissions.confirm(submission.correlationId, PARTNER, clock.now(), null)).toEqual({
        kind: 'not-found',
      });
    });

    it('confirm lists the missing roles (uploads-missing) and leaves the submission open', async () => {
      const { store, clock } = await stores.open();
      const submission = await created(store, clock);
      const none = await store.submissions.confirm(
        submission.correlationId,
        PARTNER,
        clock.now(),
        clock.now(),
      );
      expect(none).toEqual({ kind: 'uploads-missing', missing: ['SELFIE', 'DOCUMENT'] });
      await putOrFail(store, submission.correlationId, 'SELFIE', upload('selfie'));
      const one = await store.submissions.confirm(
        submission.correlationId,
        PARTNER,
        clock.now(),
        clock.now(),
      );
      expect(one).toEqual({ kind: 'uploads-missing', missing: ['DOCUMENT'] });
      const after = await store.submissions.get(submission.correlationId);
      expect(after?.status).toBe('AWAITING_UPLOAD');
      expect(after?.confirmedUploads).toEqual({});
      expect(after?.processDueAt ?? null).toBeNull();
    });

    it('confirm starts processing with the ETags stored now, confirmedAt and processDueAt', async () => {
      const { store, clock } = await stores.open();
      const { submission, selfie, document } = await uploaded(store, clock);
      const at = clock.now();
      const due = new Date(at.getTime() + 5_000);
      const answer = await store.submissions.confirm(submission.correlationId, PARTNER, at, due);
      const expected = confirmUploads(submission, { SELFIE: selfie.etag, DOCUMENT: document.etag }, at, due);
      expect(answer).toEqual(expected);
      expect(await store.submissions.get(submission.correlationId)).toEqual(
        expected.kind === 'started' ? expected.submission : undefined,
      );

      const { submission: undated } = await uploaded(store, clock);
      const started = await store.submissions.confirm(undated.correlationId, PARTNER, clock.now(), null);
      expect(started.kind).toBe('started');
      expect((await store.submissions.get(undated.correlationId))?.processDueAt ?? null).toBeNull();
    });

    it('a repeated confirm is already-confirmed with the submission as stored, and changes nothing', async () => {
      const { store, clock } = await stores.open();
      const started = await processing(store, clock, new Date(clock.now().getTime() + 60_000));
      clock.advance(1_000);
      const again = await store.submissions.confirm(started.correlationId, PARTNER, clock.now(), clock.now());
      expect(again).toEqual({ kind: 'already-confirmed', submission: started });
      expect(await store.submissions.get(started.correlationId)).toEqual(started);

      const { submission: finished } = await completed(store, clock, PARTNER, null);
      expect(await store.submissions.confirm(finished.correlationId, PARTNER, clock.now(), null)).toEqual({
        kind: 'already-confirmed',
        submission: finished,
      });
    });

    it('confirm counts an expired image as missing', async () => {
      const { store, clock } = await stores.open({ retention: { imageSeconds: 60, submissionSeconds: 600 } });
      const { submission } = await uploaded(store, clock);
      clock.advance(30_000);
      await putOrFail(store, submission.correlationId, 'DOCUMENT', upload('document again'));
      clock.advance(31_000);
      expect(await store.submissions.confirm(submission.correlationId, PARTNER, clock.now(), null)).toEqual({
        kind: 'uploads-missing',
        missing: ['SELFIE'],
      });
    });

    it('concurrent confirms of one submission: exactly one is started, the others already-confirmed', async () => {
      const { store, clock } = await stores.open();
      for (let round = 0; round < 3; round++) {
        const { submission } = await uploaded(store, clock);
        const dues = Array.from({ length: 10 }, (_, i) => new Date(clock.now().getTime() + (i + 1) * 60_000));
        const answers = await concurrently(10, (i) =>
          turns(i % 3).then(() =>
            store.submissions.confirm(submission.correlationId, PARTNER, clock.now(), dues[i] ?? null),
          ),
        );
        const started = answers.flatMap((a, i) => (a.kind === 'started' ? [i] : []));
        expect(answers.map((a) => a.kind).sort()).toEqual([
          ...Array<string>(9).fill('already-confirmed'),
          'started',
        ]);
        const winner = started[0] ?? -1;
        const stored = await store.submissions.get(submission.correlationId);
        expect(stored?.processDueAt).toBe(dues[winner]?.toISOString());
        for (const answer of answers) {
          if (answer.kind === 'already-confirmed') expect(answer.submission.status).toBe('PROCESSING');
        }
      }
    });

    it('dueProcessing sets processDueAt or moves it earlier, never later, only while PROCESSING', async () => {
      const { store, clock } = await stores.open();
      const t = (minutes: number) => new Date(clock.now().getTime() + minutes * 60_000);
      const undated = await processing(store, clock, null);
      const set = t(30);
      const first = await store.submissions.dueProcessing(undated.correlationId, set);
      expect(first?.processDueAt).toBe(set.toISOString());
      expect(first?.status).toBe('PROCESSING');
      const earlier = t(10);
      expect((await store.submissions.dueProcessing(undated.correlationId, earlier))?.processDueAt).toBe(
        earlier.toISOString(),
      );
      expect((await store.submissions.dueProcessing(undated.correlationId, t(20)))?.processDueAt).toBe(
        earlier.toISOString(),
      );
      expect((await store.submissions.get(undated.correlationId))?.processDueAt).toBe(earlier.toISOString());

      const { submission: awaiting } = await uploaded(store, clock);
      const untouched = await store.submissions.dueProcessing(awaiting.correlationId, t(1));
      expect(untouched).toEqual(awaiting);
      expect(await store.submissions.get(awaiting.correlationId)).toEqual(awaiting);

      const { submission: finished } = await completed(store, clock, PARTNER, null);
      expect(await store.submissions.dueProcessing(finished.correlationId, t(1))).toEqual(finished);
      expect(
        await store.submissions.dueProcessing('00000000-0000-4000-8000-000000000000', t(1)),
      ).toBeUndefined();
    });

    it('concurrent dueProcessing calls keep the earliest time', async () => {
      const { store, clock } = await stores.open();
      for (let round = 0; round < 3; round++) {
        const started = await processing(store, clock, null);
        // Latest first, so a step that reads, then writes its own time lets a later one win.
        const minutes = [50, 40, 45, 30, 35, 20, 25, 10, 15, 12];
        const dues = minutes.map((m) => new Date(clock.now().getTime() + m * 60_000));
        const after = await concurrently(dues.length, (i) =>
          turns(i % 2).then(() => store.submissions.dueProcessing(started.correlationId, dues[i] as Date)),
        );
        after.forEach((submission, i) => {
          expect(Date.parse(submission?.processDueAt ?? 'NaN')).toBeLessThanOrEqual(
            (dues[i] as Date).getTime(),
          );
        });
        const earliest = Math.min(...dues.map((d) => d.getTime()));
        expect((await store.submissions.get(started.correlationId))?.processDueAt).toBe(
          new Date(earliest).toISOString(),
        );
      }
    });
  });
}
