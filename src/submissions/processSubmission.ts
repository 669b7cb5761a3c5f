import type { Submission } from '../domain/Submission.ts';
import { recordFailure, recordScore } from '../domain/submissionLifecycle.ts';
import { StorageError } from '../store/StorageError.ts';
import { completionDelivery } from './completionDelivery.ts';
import type { FlowDeps } from './FlowDeps.ts';

/**
 * The scoring job: fetch the confirmed bytes, ask the engine, then finish the submission with its
 * completion delivery in one step. Every path ends in a finished submission (an engine that throws
 * gives FAILED with ENGINE_ERROR, never a stuck PROCESSING). It may run more than once (a crash, a
 * take-over): the store finishes a submission once, and a later run finds nothing to do. A store
 * that cannot be reached rejects the run, which is tried again.
 */
export async function processSubmission(
  deps: FlowDeps,
  correlationId: string,
  shutdown: AbortSignal = new AbortController().signal,
): Promise<void> {
  const submission = await deps.store.submissions.get(correlationId);
  if (submission?.status !== 'PROCESSING' || !submission.processDueAt) return;
  // Stopping before the job starts leaves the submission PROCESSING: the next start, or another instance, runs it.
  if (shutdown.aborted) return;
  const { partnerId } = submission;
  // Due on the partner's clock, not only by the timer that woke us: the clock may have been moved back.
  if (Date.parse(submission.processDueAt) > (await deps.clocks.now(partnerId)).getTime()) return;

  const thresholds = deps.thresholdsFor(partnerId);
  const engine = deps.engineFor(submission);
  let finished: Submission;
  try {
    const [selfie, document] = await Promise.all([
      deps.store.submissions.image(correlationId, 'SELFIE'),
      deps.store.submissions.image(correlationId, 'DOCUMENT'),
    ]);
    if (!selfie || !document) throw new Error('an uploaded image is no longer in the bucket');
    // Score exactly what the partner confirmed: bytes that changed since would make the result lie.
    for (const [role, image] of [
      ['SELFIE', selfie],
      ['DOCUMENT', document],
    ] as const) {
      const confirmed = submission.confirmedUploads[role];
      if (image.etag !== confirmed)
        throw new Error(`the ${role} image changed after confirm (${confirmed} → ${image.etag})`);
    }
    const score = await engine.score(selfie.bytes, document.bytes);
    finished = recordScore(submission, score, thresholds, await deps.clocks.now(partnerId));
  } catch (error) {
    // The store out of reach is not the comparison failing: nothing is recorded, and the job is
    // run again (the store keeps it due) rather than telling the partner its submission FAILED.
    if (error instanceof StorageError) throw error;
    deps.onError(`scoring ${correlationId}`, error);
    const message = `The comparison could not be run: ${error instanceof Error ? error.message : String(error)}`;
    finished = recordFailure(
      submission,
      message,
      deps.engineName,
      thresholds,
      await deps.clocks.now(partnerId),
    );
  }
  await deps.store.submissions.finish(finished, completionDelivery(deps, finished));
}
