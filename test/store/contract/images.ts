import { describe, expect, it } from 'vitest';
import type { SandboxStore } from '../../../src/store/SandboxStore.ts';
import {
  completed,
  created,
  etagOf,
  PARTNER,
  processing,
  putOrFail,
  type Upload,
  upload,
  uploaded,
} from './fixtures.ts';
import { type SettableClock, type Stores, turns } from './harness.ts';

export function imageContract(stores: Stores): void {
  describe('images', () => {
    it('putImage stores the bytes with contentType, etag, size and storedAt (wall time of the upload)', async () => {
      const { store, clock } = await stores.open();
      const submission = await created(store, clock);
      // storedAt comes from StoreOptions.now, not from the machine's clock.
      clock.advance(1_800_000);
      const selfie = upload('selfie', 'image/png');
      const before = clock.now().getTime();
      expect(await store.submissions.putImage(submission.correlationId, 'SELFIE', selfie)).toBe('stored');
      const after = clock.now().getTime();

      const image = await store.submissions.image(submission.correlationId, 'SELFIE');
      expect(image).toMatchObject({ contentType: 'image/png', etag: selfie.etag, size: selfie.bytes.length });
      expect(image?.bytes.equals(selfie.bytes)).toBe(true);
      expect(image?.storedAt).toBeInstanceOf(Date);
      expect(image?.storedAt.getTime()).toBeGreaterThanOrEqual(before);
      expect(image?.storedAt.getTime()).toBeLessThanOrEqual(after);
      const meta = await store.submissions.imageMeta(submission.correlationId, 'SELFIE');
      expect(meta).toMatchObject({ contentType: 'image/png', etag: selfie.etag, size: selfie.bytes.length });
      expect(meta?.storedAt.getTime()).toBe(image?.storedAt.getTime());
      expect(await store.submissions.image(submission.correlationId, 'DOCUMENT')).toBeNull();
      expect(await store.submissions.imageMeta(submission.correlationId, 'DOCUMENT')).toBeNull();
    });

    it('putImage replaces the previous image of that role and keeps the other role', async () => {
      const { store, clock } = await stores.open();
      const { submission, document } = await uploaded(store, clock);
      const second = upload('second selfie', 'image/webp');
      expect(await store.submissions.putImage(submission.correlationId, 'SELFIE', second)).toBe('stored');
      const selfie = await store.submissions.image(submission.correlationId, 'SELFIE');
      expect(selfie).toMatchObject({
        etag: second.etag,
        contentType: 'image/webp',
        size: second.bytes.length,
      });
      expect(selfie?.bytes.equals(second.bytes)).toBe(true);
      const kept = await store.submissions.image(submission.correlationId, 'DOCUMENT');
      expect(kept?.etag).toBe(document.etag);
      expect(kept?.bytes.equals(document.bytes)).toBe(true);
    });

    it('putImage is locked for an unknown, confirmed, finished or expired submission, and stores nothing', async () => {
      const { store, clock } = await stores.open({
        retention: { imageSeconds: 600, submissionSeconds: 1200 },
      });
      const unknown = '00000000-0000-4000-8000-000000000000';
      expect(await store.submissions.putImage(unknown, 'SELFIE', upload('x'))).toBe('locked');
      expect(await store.submissions.image(unknown, 'SELFIE')).toBeNull();

      const confirmed = await processing(store, clock, null);
      const late = upload('late');
      expect(await store.submissions.putImage(confirmed.correlationId, 'SELFIE', late)).toBe('locked');
      expect((await store.submissions.imageMeta(confirmed.correlationId, 'SELFIE'))?.etag).toBe(
        confirmed.confirmedUploads.SELFIE,
      );

      const { submission: finished } = await completed(store, clock, PARTNER, null);
      expect(await store.submissions.putImage(finished.correlationId, 'DOCUMENT', late)).toBe('locked');
      expect((await store.submissions.imageMeta(finished.correlationId, 'DOCUMENT'))?.etag).toBe(
        finished.confirmedUploads.DOCUMENT,
      );

      const awaiting = await created(store, clock);
      clock.advance(1_201_000);
      expect(await store.submissions.putImage(awaiting.correlationId, 'SELFIE', late)).toBe('locked');
      expect(await store.submissions.image(awaiting.correlationId, 'SELFIE')).toBeNull();
      expect(await store.submissions.get(awaiting.correlationId)).toBeUndefined();
    });

    it('an image reads as absent imageSeconds after its own upload; a replacement counts afresh', async () => {
      const { store, clock } = await stores.open({ retention: { imageSeconds: 60, submissionSeconds: 600 } });
      const { submission, document } = await uploaded(store, clock);
      clock.advance(30_000);
      const replacement = upload('replacement');
      await putOrFail(store, submission.correlationId, 'SELFIE', replacement);
      clock.advance(31_000); // the document is 61 s old, the replacement 31 s
      expect(await store.submissions.image(submission.correlationId, 'DOCUMENT')).toBeNull();
      expect(await store.submissions.imageMeta(submission.correlationId, 'DOCUMENT')).toBeNull();
      expect((await store.submissions.imageMeta(submission.correlationId, 'SELFIE'))?.etag).toBe(
        replacement.etag,
      );
      expect(await store.submissions.get(submission.correlationId)).toBeDefined();
      clock.advance(30_000);
      expect(await store.submissions.image(submission.correlationId, 'SELFIE')).toBeNull();
      // Uploading again after expiry stores the new bytes.
      await putOrFail(store, submission.correlationId, 'DOCUMENT', document);
      expect((await store.submissions.imageMeta(submission.correlationId, 'DOCUMENT'))?.etag).toBe(
        document.etag,
      );
    });

    it('image bytes are copied in and out', async () => {
      const { store, clock } = await stores.open();
      const submission = await created(store, clock);
      const selfie = upload('selfie');
      const original = Buffer.from(selfie.bytes);
      await putOrFail(store, submission.correlationId, 'SELFIE', selfie);
      selfie.bytes.fill(0);
      const got = await store.submissions.image(submission.correlationId, 'SELFIE');
      expect(got?.bytes.equals(original)).toBe(true);
      got?.bytes.fill(1);
      if (got) got.storedAt.setTime(0);
      const again = await store.submissions.image(submission.correlationId, 'SELFIE');
      expect(again?.bytes.equals(original)).toBe(true);
      expect(again?.storedAt.getTime()).not.toBe(0);
    });

    it('putImage racing confirm: an image answered `stored` is always the one confirm recorded', async () => {
      const { store, clock } = await stores.open();
      const problems: string[] = [];
      const rounds = 24;
      await Promise.all(
        Array.from({ length: rounds }, (_, round) =>
          raceRound(store, clock, round).then((p) => problems.push(...p)),
        ),
      );
      expect(problems).toEqual([]);
    });
  });
}

/**
 * One round: a new selfie upload and a confirm, started together in an order and with a head start
 * that vary by round. Half the rounds replace a selfie already there, half upload the first one
 * (so confirm may find it missing).
 */
async function raceRound(store: SandboxStore, clock: SettableClock, round: number): Promise<string[]> {
  const problems: string[] = [];
  const say = (what: string) => problems.push(`round ${round}: ${what}`);
  const submission = await created(store, clock);
  const id = submission.correlationId;
  const replacing = round % 2 === 0;
  const previous: Upload = upload(`previous ${round}`);
  const fresh: Upload = upload(`fresh ${round}`);
  await putOrFail(store, id, 'DOCUMENT', upload(`document ${round}`));
  if (replacing) await putOrFail(store, id, 'SELFIE', previous);

  const headStart = round % 3;
  const putLater = round % 4 >= 2;
  const [put, confirm] = await Promise.all([
    turns(putLater ? headStart : 0).then(() => store.submissions.putImage(id, 'SELFIE', fresh)),
    turns(putLater ? 0 : headStart).then(() => store.submissions.confirm(id, PARTNER, clock.now(), null)),
  ]);

  let confirmed: string | undefined;
  if (confirm.kind === 'started') {
    confirmed = confirm.submission.confirmedUploads.SELFIE;
    if (put === 'stored' && confirmed !== fresh.etag) {
      say(`putImage answered stored, yet confirm recorded ${confirmed}, not the stored ${fresh.etag}`);
    }
    if (put === 'locked' && confirmed !== previous.etag) {
      say(`putImage answered locked, yet confirm recorded ${confirmed}, not the earlier ${previous.etag}`);
    }
  } else if (confirm.kind === 'uploads-missing') {
    if (replacing) say(`confirm found ${confirm.missing.join(', ')} missing though both were stored`);
    if (put !== 'stored') say(`putImage answered ${put} although confirm left the submission open`);
    const retry = await store.submissions.confirm(id, PARTNER, clock.now(), null);
    if (retry.kind !== 'started') say(`a second confirm answered ${retry.kind}`);
    else confirmed = retry.submission.confirmedUploads.SELFIE;
    if (confirmed !== fresh.etag)
      say(`the second confirm recorded ${confirmed}, not the stored ${fresh.etag}`);
  } else {
    say(`confirm answered ${confirm.kind}`);
  }

  const stored = await store.submissions.image(id, 'SELFIE');
  if (stored?.etag !== confirmed) say(`the stored selfie is ${stored?.etag}, confirm recorded ${confirmed}`);
  if (stored && etagOf(stored.bytes) !== stored.etag) say('the stored selfie bytes do not match its etag');
  const after = await store.submissions.get(id);
  if (after?.confirmedUploads.SELFIE !== confirmed) {
    say(`the submission records ${after?.confirmedUploads.SELFIE}, confirm answered ${confirmed}`);
  }
  return problems;
}
