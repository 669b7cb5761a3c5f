import type { ImageRole, ScoreResult } from '../scoring/ScoringEngine.ts';
import { outcomeFor, type Thresholds } from './outcome.ts';
import { IMAGE_ROLES, type MatchResult, type Submission } from './Submission.ts';

/**
 * The submission state machine:
 *
 *   AWAITING_UPLOAD --confirm (both images present)--> PROCESSING --scored--> COMPLETED
 *                                                                 \--engine failed--> FAILED
 *
 * Every transition is a pure function from one immutable record to the next.
 */
export type NewSubmission = Pick<
  Submission,
  'correlationId' | 'partnerId' | 'referenceId' | 'documentType' | 'callbackUrl' | 'contentTypes' | 'scenario'
>;

export function openSubmission(input: NewSubmission, now: Date): Submission {
  const at = now.toISOString();
  return {
    ...input,
    status: 'AWAITING_UPLOAD',
    createdAt: at,
    updatedAt: at,
    confirmedAt: null,
    completedAt: null,
    confirmedUploads: {},
    result: null,
    processDueAt: null,
  };
}

export type ConfirmOutcome =
  | { kind: 'started'; submission: Submission }
  | { kind: 'already-confirmed'; submission: Submission }
  | { kind: 'uploads-missing'; missing: ImageRole[] };

/** `uploads` maps each image already in the bucket to its ETag. */
export function confirmUploads(
  submission: Submission,
  uploads: Partial<Record<ImageRole, string>>,
  now: Date,
  /** When scoring falls due (see Submission.processDueAt). */
  processDueAt: Date | null,
): ConfirmOutcome {
  // A repeated confirm is answered, not refused: partners retry on time-outs.
  if (submission.status !== 'AWAITING_UPLOAD') return { kind: 'already-confirmed', submission };
  const missing = IMAGE_ROLES.filter((role) => uploads[role] === undefined);
  if (missing.length > 0) return { kind: 'uploads-missing', missing };
  const at = now.toISOString();
  return {
    kind: 'started',
    submission: {
      ...submission,
      status: 'PROCESSING',
      confirmedAt: at,
      updatedAt: at,
      confirmedUploads: uploads,
      processDueAt: processDueAt?.toISOString() ?? null,
    },
  };
}

/**
 * Processing made due at `dueAt` (a poll count was reached, an operator advanced it): never later
 * than it already was, and only while the submission is PROCESSING.
 */
export function processingDue(submission: Submission, dueAt: Date): Submission {
  if (submission.status !== 'PROCESSING') return submission;
  const current = submission.processDueAt ? Date.parse(submission.processDueAt) : Number.NaN;
  if (current <= dueAt.getTime()) return submission;
  return { ...submission, processDueAt: dueAt.toISOString() };
}

export function recordScore(
  submission: Submission,
  score: ScoreResult,
  thresholds: Thresholds,
  now: Date,
): Submission {
  return finish(submission, 'COMPLETED', now, {
    score: score.score,
    outcome: outcomeFor(score.score, thresholds),
    thresholds,
    reasons: score.reasons,
    faces: { selfie: score.selfie, document: score.document },
    engine: score.engine,
  });
}

/** The comparison could not run at all; still an answer (score 0, ERROR), never a silent loss. */
export function recordFailure(
  submission: Submission,
  message: string,
  engine: string,
  thresholds: Thresholds,
  now: Date,
): Submission {
  return finish(submission, 'FAILED', now, {
    score: 0,
    outcome: 'ERROR',
    thresholds,
    reasons: [{ code: 'ENGINE_ERROR', message }],
    faces: { selfie: null, document: null },
    engine,
  });
}

function finish(
  submission: Submission,
  status: 'COMPLETED' | 'FAILED',
  now: Date,
  result: MatchResult,
): Submission {
  const at = now.toISOString();
  return { ...submission, status, completedAt: at, updatedAt: at, result, processDueAt: null };
}

export function isFinished(submission: Submission): boolean {
  return submission.status === 'COMPLETED' || submission.status === 'FAILED';
}
