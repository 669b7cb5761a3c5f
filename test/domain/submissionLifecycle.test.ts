import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, outcomeFor } from '../../src/domain/outcome.ts';
import {
  confirmUploads,
  openSubmission,
  recordFailure,
  recordScore,
} from '../../src/domain/submissionLifecycle.ts';

const t0 = new Date('2026-03-01T10:00:00Z');
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
    expect(confirmUploads(fresh(), { SELFIE: '"e1"' }, t0)).toEqual({
      kind: 'uploads-missing',
      missing: ['DOCUMENT'],
    });
    const started = confirmUploads(fresh(), { SELFIE: '"e1"', DOCUMENT: '"e2"' }, t0);
    expect(started.kind).toBe('started');
    if (started.kind !== 'started') return;
    expect(started.submission.status).toBe('PROCESSING');
    expect(confirmUploads(started.submission, {}, t0).kind).toBe('already-confirmed');
  });

  it('records a score with the outcome under the thresholds in force, and a failure as score 0 / ERROR', () => {
    const scored = recordScore(
      fresh(),
      { score: 75, reasons: [], selfie: null, document: null, engine: 'x' },
      DEFAULT_THRESHOLDS,
      t0,
    );
    expect(scored).toMatchObject({
      status: 'COMPLETED',
      result: { score: 75, outcome: 'Review', thresholds: DEFAULT_THRESHOLDS },
    });
    const failed = recordFailure(fresh(), 'model missing', 'onnx', DEFAULT_THRESHOLDS, t0);
    expect(failed).toMatchObject({
      status: 'FAILED',
      result: { score: 0, outcome: 'ERROR', reasons: [{ code: 'ENGINE_ERROR' }] },
    });
  });
});
