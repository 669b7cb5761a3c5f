import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../src/journal/JournalEntry.ts';
import { redactPath } from '../../src/journal/redactPath.ts';
import { createPartnerJournal } from '../../src/store/memory/partnerJournal.ts';

function entry(fields: Partial<JournalEntry> = {}): Omit<JournalEntry, 'id'> {
  return {
    at: '2026-03-01T10:00:00.000Z',
    businessAt: '2026-03-01T10:00:00.000Z',
    method: 'GET',
    path: '/v1/submissions/abc/status',
    area: 'api',
    status: 200,
    durationMs: 1,
    partnerId: 'demo',
    correlationId: 'abc',
    nearMiss: null,
    ...fields,
  };
}

describe('the request journal (one ring per partner)', () => {
  it('lists newest first, with ids increasing across partners', () => {
    const journal = createPartnerJournal(10);
    const recorded = ['demo', 'demo-2', null, 'demo', 'demo-2'].map((partnerId, i) =>
      journal.record(entry({ partnerId, path: `/p${i + 1}` })),
    );
    expect(recorded.map((e) => e.id)).toEqual(['req_1', 'req_2', 'req_3', 'req_4', 'req_5']);
    expect(recorded[0]).toEqual({ id: 'req_1', ...entry({ path: '/p1' }) });
    expect(journal.list({}).map((e) => [e.id, e.partnerId, e.path])).toEqual([
      ['req_5', 'demo-2', '/p5'],
      ['req_4', 'demo', '/p4'],
      ['req_3', null, '/p3'],
      ['req_2', 'demo-2', '/p2'],
      ['req_1', 'demo', '/p1'],
    ]);
    expect(journal.list({ partnerId: 'demo' }).map((e) => e.id)).toEqual(['req_4', 'req_1']);
    expect(journal.size()).toBe(5);
  });

  it('filters by partner, submission, status, method, path prefix and near misses, then limits', () => {
    const journal = createPartnerJournal(10);
    journal.record(entry({ partnerId: 'demo', correlationId: 'a', method: 'POST', path: '/v1/submissions' }));
    journal.record(
      entry({
        partnerId: 'demo',
        correlationId: 'a',
        method: 'PUT',
        path: '/bucket/uploads/a/SELFIE?Signature=***',
        area: 'bucket',
        status: 403,
        nearMiss: { rule: 'SignatureDoesNotMatch', message: 'm' },
      }),
    );
    journal.record(entry({ partnerId: 'demo-2', correlationId: 'b', status: 404 }));
    journal.record(entry({ partnerId: 'demo', correlationId: 'a' }));

    expect(journal.list({ partnerId: 'demo-2' }).map((e) => e.correlationId)).toEqual(['b']);
    expect(journal.list({ partnerId: 'nobody' })).toEqual([]);
    expect(journal.list({ correlationId: 'a' })).toHaveLength(3);
    expect(journal.list({ status: 403 }).map((e) => e.method)).toEqual(['PUT']);
    expect(journal.list({ method: 'post' }).map((e) => e.path)).toEqual(['/v1/submissions']);
    expect(journal.list({ pathPrefix: '/bucket/' })).toHaveLength(1);
    expect(journal.list({ nearMissesOnly: true }).map((e) => e.nearMiss?.rule)).toEqual([
      'SignatureDoesNotMatch',
    ]);
    expect(journal.list({ partnerId: 'demo', limit: 2 }).map((e) => e.id)).toEqual(['req_4', 'req_2']);
    // The limit applies after the filters, across partners too.
    expect(journal.list({ status: 200, limit: 1 }).map((e) => e.id)).toEqual(['req_4']);
  });

  it('keeps the newest `capacity` entries of each partner: one partner’s flood keeps another’s entries', () => {
    const journal = createPartnerJournal(3);
    journal.record(entry({ partnerId: 'quiet', path: '/q1' }));
    journal.record(entry({ partnerId: 'quiet', path: '/q2' }));
    for (let i = 1; i <= 10; i++) journal.record(entry({ partnerId: 'noisy', path: `/n${i}` }));
    // Requests no partner could be named for are one more partner, with a ring of their own.
    for (let i = 1; i <= 5; i++) journal.record(entry({ partnerId: null, path: `/anon${i}` }));

    expect(journal.list({ partnerId: 'quiet' }).map((e) => e.path)).toEqual(['/q2', '/q1']);
    expect(journal.list({ partnerId: 'noisy' }).map((e) => [e.id, e.path])).toEqual([
      ['req_12', '/n10'],
      ['req_11', '/n9'],
      ['req_10', '/n8'],
    ]);
    expect(journal.list({}).map((e) => e.path)).toEqual([
      '/anon5',
      '/anon4',
      '/anon3',
      '/n10',
      '/n9',
      '/n8',
      '/q2',
      '/q1',
    ]);
    expect(journal.size()).toBe(8);
  });

  it("clears everything, or one partner's entries keeping the others in order", () => {
    const journal = createPartnerJournal(4);
    for (const partnerId of ['demo', 'demo-2', 'demo', 'demo-2', 'demo'])
      journal.record(entry({ partnerId }));
    expect(journal.clear('demo')).toBe(3);
    expect(journal.clear('nobody')).toBe(0);
    expect(journal.list({}).map((e) => [e.id, e.partnerId])).toEqual([
      ['req_4', 'demo-2'],
      ['req_2', 'demo-2'],
    ]);
    // A cleared partner starts a fresh ring, and ids keep increasing: never one reused.
    for (let i = 0; i < 5; i++) journal.record(entry({ partnerId: 'demo' }));
    expect(journal.list({}).map((e) => e.id)).toEqual([
      'req_10',
      'req_9',
      'req_8',
      'req_7',
      'req_4',
      'req_2',
    ]);
    expect(journal.size()).toBe(6);
    expect(journal.clear()).toBe(6);
    expect(journal.list({})).toEqual([]);
    expect(journal.size()).toBe(0);
    expect(journal.record(entry()).id).toBe('req_11');
  });

  it('refuses a capacity that is not a positive integer', () => {
    for (const capacity of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => createPartnerJournal(capacity), String(capacity)).toThrow(/positive integer/);
    }
    expect(createPartnerJournal(1).size()).toBe(0);
  });
});

describe('redactPath', () => {
  it('hides presigned signatures and other secrets, leaving the rest of the query as sent', () => {
    expect(
      redactPath(
        '/bucket/uploads/a/SELFIE?OSSAccessKeyId=FACEMATCHMOCK&Expires=1790000000&Signature=abc%2Bdef',
      ),
    ).toBe('/bucket/uploads/a/SELFIE?OSSAccessKeyId=FACEMATCHMOCK&Expires=1790000000&Signature=***');
    expect(redactPath('/x?client_secret=s3cr3t&a=1&access_token=t')).toBe(
      '/x?client_secret=***&a=1&access_token=***',
    );
    expect(redactPath('/v1/submissions/abc/status')).toBe('/v1/submissions/abc/status');
  });
});
