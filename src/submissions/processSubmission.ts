import type { Submission } from '../domain/Submission.ts';
import { isFinished, markCallbackQueued, recordFailure, recordScore } from '../domain/submissionLifecycle.ts';
import { deliverCompletion } from './deliverCompletion.ts';
import type { FlowDeps } from './FlowDeps.ts';
import { uploadKey } from './uploadKey.ts';

/**
 * The scoring job: fetch the confirmed bytes, ask the engine, record the
 * result, then announce it. Every path ends in a finished submission — an
 * engine that throws gives FAILED with ENGINE_ERROR, never a stuck PROCESSING.
 * (When it runs is scheduleProcessing's business.)
 */
export async function processSubmission(
  deps: FlowDeps,
  correlationId: string,
  shutdown: AbortSignal = new AbortController().signal,
): Promise<void> {
  const submission = deps.submissions.get(correlationId);
  if (submission?.status !== 'PROCESSING') return;
  // Stopping before the job starts leaves the submission PROCESSING on disk; the next start resumes it.
  if (shutdown.aborted) return;

  const clock = deps.clockFor(submission.partnerId);
  const thresholds = deps.thresholdsFor(submission.partnerId);
  const engine = deps.engineFor(submission);
  let finished: Submission;
  try {
    const [selfie, document] = await Promise.all([
      deps.objects.get(uploadKey(correlationId, 'SELFIE')),
      deps.objects.get(uploadKey(correlationId, 'DOCUMENT')),
    ]);
    if (!selfie || !document) throw new Error('an uploaded image is no longer in the bucket');
    // Score exactly what the partner confirmed: bytes that changed since would make the result lie.
    for (const [role, object] of [
      ['SELFIE', selfie],
      ['DOCUMENT', document],
    ] as const) {
      const confirmed = submission.confirmedUploads[role];
      if (object.etag !== confirmed)
        throw new Error(`the ${role} image changed after confirm (${confirmed} → ${object.etag})`);
    }
    const score = await engine.score(selfie.bytes, document.bytes);
    finished = recordScore(submission, score, thresholds, clock.now());
  } catch (error) {
    deps.onError(`scoring ${correlationId}`, error);
    const message = `The comparison could not be run: ${error instanceof Error ? error.message : String(error)}`;
    finished = recordFailure(submission, message, deps.engineName, thresholds, clock.now());
  }
  try {
    await deps.submissions.put(correlationId, finished);
  } catch (error) {
    deps.onError(`recording the result of ${correlationId} (it stays PROCESSING and is scored again)`, error);
    throw error;
  }
  await announceCompletion(deps, finished);
}

/**
 * Hands the completion callback over once. Called after the result is durable
 * and again at start-up for finished submissions whose hand-over was cut short.
 */
export async function announceCompletion(deps: FlowDeps, submission: Submission): Promise<void> {
  if (!isFinished(submission) || submission.callbackQueuedAt) return;
  await deliverCompletion(deps, submission);
  const clock = deps.clockFor(submission.partnerId);
  await deps.submissions.put(submission.correlationId, markCallbackQueued(submission, clock.now()));
}
