import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../../src/journal/JournalEntry.ts';
import { journalEntry, OTHER_PARTNER, PARTNER } from './fixtures.ts';
import { concurrently, type Stores, turns } from './harness.ts';

/**
 * "sorts by arrival": numerically when both ids are `req_<digits>` (req_9 before req_10), else
 * by code units (fixed-width or time-ordered ids).
 */
export function compareJournalIds(a: string, b: string): number {
  const x = /^req_(\d+)$/.exec(a)?.[1];
  const y = /^req_(\d+)$/.exec(b)?.[1];
  if (x !== undefined && y !== undefined) {
    const [bx, by] = [BigInt(x), BigInt(y)];
    return bx < by ? -1 : bx > by ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

const ids = (entries: JournalEntry[]) => entries.map((e) => e.id);

export function journalContract(stores: Stores): void {
  describe('journal', () => {
    it('record returns the entry with a new req_ id; ids sort by arrival; list is newest first', async () => {
      const { store, clock } = await stores.open({ journalCapacity: 50 });
      const recorded: JournalEntry[] = [];
      for (let i = 0; i < 12; i++) {
        const fields = journalEntry(clock, { path: `/v1/p${i}`, correlationId: i % 2 ? 'c-odd' : null });
        const entry = await store.journal.record(fields);
        expect(entry).toEqual({ ...fields, id: expect.stringMatching(/^req_/) });
        recorded.push(entry);
      }
      const recordedIds = ids(recorded);
      expect(new Set(recordedIds).size).toBe(12);
      expect([...recordedIds].sort(compareJournalIds)).toEqual(recordedIds);
      expect(await store.journal.list({})).toEqual([...recorded].reverse());
      expect(store.journal.capacity).toBe(50);
    });

    it('list filters by partner, correlationId, status, method, path prefix and near misses, then limits', async () => {
      const { store, clock } = await stores.open();
      const nearMiss = { rule: 'SignatureDoesNotMatch', message: 'sign the upload with the URL as issued' };
      const post = await store.journal.record(
        journalEntry(clock, { method: 'POST', path: '/v1/submissions', correlationId: 'a', status: 201 }),
      );
      const put = await store.journal.record(
        journalEntry(clock, {
          method: 'PUT',
          path: '/bucket/uploads/a/SELFIE?X-Amz-Signature=***',
          area: 'bucket',
          correlationId: 'a',
          status: 403,
          nearMiss,
        }),
      );
      const other = await store.journal.record(
        journalEntry(clock, { partnerId: OTHER_PARTNER, correlationId: 'b', status: 404, nearMiss }),
      );
      const anonymous = await store.journal.record(
        journalEntry(clock, { partnerId: null, path: '/oauth/token', method: 'POST', status: 401 }),
      );
      const poll = await store.journal.record(journalEntry(clock, { correlationId: 'a' }));

      expect(ids(await store.journal.list({}))).toEqual(ids([poll, anonymous, other, put, post]));
      expect(ids(await store.journal.list({ partnerId: PARTNER }))).toEqual(ids([poll, put, post]));
      expect(ids(await store.journal.list({ partnerId: OTHER_PARTNER }))).toEqual(ids([other]));
      expect(ids(await store.journal.list({ correlationId: 'a' }))).toEqual(ids([poll, put, post]));
      expect(ids(await store.journal.list({ status: 403 }))).toEqual(ids([put]));
      expect(ids(await store.journal.list({ method: 'POST' }))).toEqual(ids([anonymous, post]));
      expect(ids(await store.journal.list({ pathPrefix: '/bucket/' }))).toEqual(ids([put]));
      expect(ids(await store.journal.list({ pathPrefix: '/v1/' }))).toEqual(ids([poll, other, post]));
      expect(ids(await store.journal.list({ nearMissesOnly: true }))).toEqual(ids([other, put]));
      expect(ids(await store.journal.list({ nearMissesOnly: true, partnerId: PARTNER }))).toEqual(ids([put]));
      expect(ids(await store.journal.list({ limit: 2 }))).toEqual(ids([poll, anonymous]));
      expect(ids(await store.journal.list({ partnerId: PARTNER, limit: 2 }))).toEqual(ids([poll, put]));
      expect(await store.journal.list({ status: 418 })).toEqual([]);
      expect((await store.journal.list({ status: 403 }))[0]).toEqual(put);
    });

    it("keeps journalCapacity entries per partner: one partner's flood evicts only its own oldest", async () => {
      const { store, clock } = await stores.open({ journalCapacity: 3 });
      const quiet: JournalEntry[] = [];
      for (let i = 0; i < 2; i++)
        quiet.push(await store.journal.record(journalEntry(clock, { partnerId: OTHER_PARTNER })));
      const anonymous = await store.journal.record(journalEntry(clock, { partnerId: null }));
      const flood: JournalEntry[] = [];
      for (let i = 0; i < 10; i++)
        flood.push(await store.journal.record(journalEntry(clock, { path: `/f${i}` })));

      expect(store.journal.capacity).toBe(3);
      expect(ids(await store.journal.list({ partnerId: PARTNER }))).toEqual(ids(flood.slice(-3).reverse()));
      expect(ids(await store.journal.list({ partnerId: OTHER_PARTNER }))).toEqual(ids([...quiet].reverse()));
      expect(await store.journal.size()).toBe(6);

      // Requests of no known partner count as one more partner, bounded like the others.
      const more: JournalEntry[] = [anonymous];
      for (let i = 0; i < 4; i++)
        more.push(await store.journal.record(journalEntry(clock, { partnerId: null })));
      const all = await store.journal.list({});
      expect(ids(all.filter((e) => e.partnerId === null))).toEqual(ids(more.slice(-3).reverse()));
      expect(ids(all.filter((e) => e.partnerId === OTHER_PARTNER))).toEqual(ids([...quiet].reverse()));
      expect(await store.journal.size()).toBe(8);
    });

    it('clear removes one partner (or every) entry and says how many; size counts what is kept', async () => {
      const { store, clock } = await stores.open();
      expect(await store.journal.size()).toBe(0);
      for (const partnerId of [PARTNER, OTHER_PARTNER, PARTNER, null, PARTNER]) {
        await store.journal.record(journalEntry(clock, { partnerId }));
      }
      expect(await store.journal.size()).toBe(5);
      expect(await store.journal.clear(PARTNER)).toBe(3);
      expect(await store.journal.size()).toBe(2);
      expect((await store.journal.list({})).map((e) => e.partnerId)).toEqual([null, OTHER_PARTNER]);
      expect(await store.journal.clear('nobody')).toBe(0);
      const later = await store.journal.record(journalEntry(clock));
      expect(ids(await store.journal.list({ partnerId: PARTNER }))).toEqual([later.id]);
      expect(await store.journal.clear()).toBe(3);
      expect(await store.journal.size()).toBe(0);
      expect(await store.journal.list({})).toEqual([]);
    });

    it('concurrent records get distinct ids, and the bound per partner holds', async () => {
      const { store, clock } = await stores.open({ journalCapacity: 5 });
      const entries = await concurrently(30, (i) =>
        turns(i % 3).then(() => store.journal.record(journalEntry(clock, { path: `/c${i}` }))),
      );
      expect(new Set(ids(entries)).size).toBe(30);
      const kept = await store.journal.list({ partnerId: PARTNER });
      expect(kept).toHaveLength(5);
      expect(await store.journal.size()).toBe(5);
      // The five kept are the five that arrived last.
      expect(ids(kept)).toEqual(ids(entries).sort(compareJournalIds).reverse().slice(0, 5));
    });

    it('entries are copied out', async () => {
      const { store, clock } = await stores.open();
      const entry = await store.journal.record(
        journalEntry(clock, { nearMiss: { rule: 'required', message: 'm' } }),
      );
      const original = structuredClone(entry);
      entry.path = '/changed';
      const [listed] = await store.journal.list({});
      if (listed?.nearMiss) listed.nearMiss.rule = 'changed';
      expect(await store.journal.list({})).toEqual([original]);
    });
  });
}
