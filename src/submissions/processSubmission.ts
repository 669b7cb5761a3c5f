import type { Submission } from '../domain/Submission.ts';
import { isFinished, markCallbackQueued, recordFailure, recordScore } from '../domain/submissionLifecycle.ts';
import type { FlowDeps } from './FlowDeps.ts';

/**
 * The scoring job: fetch the confirmed bytes, ask the engine, record the
 * result, then announce it. Every path ends in a finished submission — an
 * engine that throws gives FAILED with ENGINE_ERROR, never a stuck PROCESSING.
 */
export async function processSubmission(
  deps: FlowDeps,
  correlationId: string,
  shutdown: AbortSignal = new AbortController().signal,
): Promise<void> {
  const submission = deps.submissions.get(correlationId);
  if (submission?.status !== 'PROCESSING') return;
  if (deps.processingDelayMs > 0) await delay(deps.processingDelayMs, shutdown);
  // Stopping mid-delay leaves the submission PROCESSING on disk; the next start resumes it.
  if (shutdown.aborted) return;

  const thresholds = deps.thresholdsFor(submission.partnerId);
  let finished: Submission;
  try {
    const [selfie, document] = await Promise.all([
      deps.objects.get(deps.objectKey(correlationId, 'SELFIE')),
      deps.objects.get(deps.objectKey(correlationId, 'DOCUMENT')),
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
    const score = await deps.engine.score(selfie.bytes, document.bytes);
    finished = recordScore(submission, score, thresholds, deps.now());
  } catch (error) {
    deps.onError(`scoring ${correlationId}`, error);
    const message = `The comparison could not be run: ${error instanceof Error ? error.message : String(error)}`;
    finished = recordFailure(submission, message, deps.engine.name, thresholds, deps.now());
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
  const url = submission.callbackUrl ?? deps.defaultCallbackUrl(submission.partnerId);
  await deps.notifyCompletion({ submission, url });
  await deps.submissions.put(submission.correlationId, markCallbackQueued(submission, deps.now()));
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
