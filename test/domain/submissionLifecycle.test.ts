import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, outcomeFor } from '../../src/domain/outcome.ts';
import type { Submission } from '../../src/domain/Submission.ts';
import {
  confirmUploads,
  openSubmission,
  processingDue,
  recordFailure,
  recordScore,
} from '../../src/domain/submissionLifecycle.ts';

const t0 = new Date('2026-03-01T10:00:00Z');
const later = (ms: number) => new Date(t0.getTime() + ms);
const fresh = () =>
  openSubmission(
    {
      correlationId: 'c1',
      partnerId: 'demo',
      referenceId: null,
      documentType: 'KTP',
      callbackUrl: null,
      contentTypes: { SELFIE: 'image/jpeg', DOCUMENT: 'image/jpeg' },
    },
    t0,
  );

function processing(processDueAt: Date | null): Submission {
  const started = confirmUploads(fresh(), { SELFIE: '"e1"', DOCUMENT: '"e2"' }, t0, processDueAt);
  if (started.kind !== 'started') throw new Error(`confirm did not start: ${started.kind}`);
  return started.submission;
}

describe('outcomeFor (the scoring seed’s bands)', () => {
  it.each([
    [100, 'Success'],
    [80, 'Success'],
    [79, 'Review'],
    [70, 'Review'],
    [69, 'Fail'],
    [1, 'Fail'],
    [0, 'ERROR'],
    [-3, 'ERROR'],
    [101, 'ERROR'],
    [72.5, 'ERROR'],
  ])('score %s → %s', (score, outcome) => {
    expect(outcomeFor(score, DEFAULT_THRESHOLDS)).toBe(outcome);
  });

  it('follows a partner’s own thresholds', () => {
    expect(outcomeFor(84, { success: 85, review: 72 })).toBe('Review');
    expect(outcomeFor(71, { success: 85, review: 72 })).toBe('Fail');
  });
});

describe('the submission state machine', () => {
  it('moves to PROCESSING only when both images are there, naming what is missing otherwise', () => {
    expect(confirmUploads(fresh(), { SELFIE: '"e1"' }, t0, later(1000))).toEqual({
      kind: 'uploads-missing',
      missing: ['DOCUMENT'],
    });
    const started = confirmUploads(fresh(), { SELFIE: '"e1"', DOCUMENT: '"e2"' }, t0, later(1000));
    expect(started.kind).toBe('started');
    if (started.kind !== 'started') return;
    expect(started.submission).toMatchObject({
      status: 'PROCESSING',
      confirmedAt: t0.toISOString(),
      // The ETags confirmed are the bytes the job must score.
      confirmedUploads: { SELFIE: '"e1"', DOCUMENT: '"e2"' },
      processDueAt: later(1000).toISOString(),
    });
    // A repeated confirm is answered with the submission as it is, not started again.
    expect(confirmUploads(started.submission, {}, later(5000), later(9000))).toEqual({
      kind: 'already-confirmed',
      submission: started.submission,
    });
  });

  it('records no due time when only polls or an operator end processing', () => {
    expect(processing(null).processDueAt).toBeNull();
  });

  it('records a score with the outcome under the thresholds in force, and a failure as score 0 / ERROR', () => {
    const scored = recordScore(
      processing(t0),
      { score: 75, reasons: [], selfie: null, document: null, engine: 'x' },
      DEFAULT_THRESHOLDS,
      later(10),
    );
    expect(scored).toMatchObject({
      status: 'COMPLETED',
      completedAt: later(10).toISOString(),
      processDueAt: null,
      result: { score: 75, outcome: 'Review', thresholds: DEFAULT_THRESHOLDS },
    });
    const failed = recordFailure(processing(t0), 'model missing', 'onnx', DEFAULT_THRESHOLDS, later(10));
    expect(failed).toMatchObject({
      status: 'FAILED',
      processDueAt: null,
      result: {
        score: 0,
        outcome: 'ERROR',
        engine: 'onnx',
        reasons: [{ code: 'ENGINE_ERROR', message: 'model missing' }],
      },
    });
  });
});

describe('processingDue (a poll count reached, an operator advancing)', () => {
  it('makes processing due when no time was set', () => {
    expect(processingDue(processing(null), later(500)).processDueAt).toBe(later(500).toISOString());
  });

  it('brings a due time earlier, never later', () => {
    const due = processing(later(60_000));
    expect(processingDue(due, later(1000)).processDueAt).toBe(later(1000).toISOString());
    // Later or the same: the very record back, nothing for a store to write.
    expect(processingDue(due, later(120_000))).toBe(due);
    expect(processingDue(due, later(60_000))).toBe(due);
  });

  it('changes nothing unless the submission is PROCESSING', () => {
    const awaiting = fresh();
    expect(processingDue(awaiting, t0)).toBe(awaiting);
    const completed = recordScore(
      processing(later(60_000)),
      { score: 92, reasons: [], selfie: null, document: null, engine: 'x' },
      DEFAULT_THRESHOLDS,
      later(10),
    );
    expect(processingDue(completed, t0)).toBe(completed);
    const failed = recordFailure(processing(null), 'boom', 'x', DEFAULT_THRESHOLDS, later(10));
    expect(processingDue(failed, t0)).toBe(failed);
  });
});
