import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../src/journal/JournalEntry.ts';
import { createRequestJournal } from '../../src/journal/RequestJournal.ts';
import { redactPath } from '../../src/journal/redactPath.ts';

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

describe('the request journal', () => {
  it('keeps the newest `capacity` entries, newest first, with increasing ids', () => {
    const journal = createRequestJournal(3);
    for (let i = 1; i <= 5; i++) journal.record(entry({ path: `/p${i}` }));
    expect(journal.size()).toBe(3);
    expect(journal.list().map((e) => [e.id, e.path])).toEqual([
      ['req_5', '/p5'],
      ['req_4', '/p4'],
      ['req_3', '/p3'],
    ]);
  });

  it('filters by partner, submission, status, method, path prefix and near misses, then limits', () => {
    const journal = createRequestJournal(10);
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
    expect(journal.list({ correlationId: 'a' })).toHaveLength(3);
    expect(journal.list({ status: 403 }).map((e) => e.method)).toEqual(['PUT']);
    expect(journal.list({ method: 'post' }).map((e) => e.path)).toEqual(['/v1/submissions']);
    expect(journal.list({ pathPrefix: '/bucket/' })).toHaveLength(1);
    expect(journal.list({ nearMissesOnly: true }).map((e) => e.nearMiss?.rule)).toEqual([
      'SignatureDoesNotMatch',
    ]);
    expect(journal.list({ partnerId: 'demo', limit: 2 }).map((e) => e.id)).toEqual(['req_4', 'req_2']);
  });

  it("clears everything, or one partner's entries keeping the others in order", () => {
    const journal = createRequestJournal(4);
    for (const partnerId of ['demo', 'demo-2', 'demo', 'demo-2', 'demo'])
      journal.record(entry({ partnerId }));
    expect(journal.clear('demo')).toBe(2);
    expect(journal.list().map((e) => [e.id, e.partnerId])).toEqual([
      ['req_4', 'demo-2'],
      ['req_2', 'demo-2'],
    ]);
    // Still a ring after compaction: new entries go after the survivors, and ids keep increasing.
    for (let i = 0; i < 3; i++) journal.record(entry({ partnerId: 'demo' }));
    expect(journal.list().map((e) => e.id)).toEqual(['req_8', 'req_7', 'req_6', 'req_4']);
    expect(journal.clear()).toBe(4);
    expect(journal.list()).toEqual([]);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => createRequestJournal(0)).toThrow(/positive integer/);
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
