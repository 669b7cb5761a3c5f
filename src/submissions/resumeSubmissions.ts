import type { ProcessingQueue } from './createProcessingQueue.ts';
import type { FlowDeps } from './FlowDeps.ts';
import { announceCompletion } from './processSubmission.ts';
import { scheduleProcessing } from './scheduleProcessing.ts';

/**
 * After a restart with a data directory: submissions that were PROCESSING are
 * scheduled again (the job is idempotent: the same confirmed bytes give the
 * same result) and finished ones whose callback never reached the dispatcher get it.
 */
export async function resumeSubmissions(deps: FlowDeps, queue: ProcessingQueue): Promise<number> {
  let resumed = 0;
  for (const submission of deps.submissions.values()) {
    if (submission.status === 'PROCESSING') {
      scheduleProcessing(deps, queue, submission);
      resumed++;
    } else {
      await announceCompletion(deps, submission);
    }
  }
  return resumed;
}
