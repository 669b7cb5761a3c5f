import { describe, expect, it } from 'vitest';
import { completionEvent } from '../../src/callbacks/completionEvent.ts';

describe('completionEvent', () => {
  it('is the thin event: type, timestamp and identifiers, no result', () => {
    const at = new Date('2026-03-01T10:00:00.000Z');
    expect(completionEvent({ correlationId: 'c-1', referenceId: 'ref-9', status: 'COMPLETED', at })).toEqual({
      type: 'submission.completed',
      timestamp: '2026-03-01T10:00:00.000Z',
      data: { correlationId: 'c-1', referenceId: 'ref-9', status: 'COMPLETED' },
    });
  });

  it('carries referenceId as null when the partner gave none', () => {
    const event = completionEvent({ correlationId: 'c-2', status: 'FAILED', at: new Date() });
    expect(event.data).toHaveProperty('referenceId', null);
  });
});
