import type { AdminSubmission, JournalEntry } from '../adminApi.ts';
import { durationOf, timeOf } from '../format.ts';

interface Step {
  at: string;
  what: string;
  detail?: string;
  failed?: boolean;
}

/**
 * What happened to a submission, in order: its creation, every request the partner made about it
 * (uploads, confirm, polls — from the journal, refusals with the rule they broke), the completion
 * and every callback attempt with its answer and duration.
 */
export function Timeline({ submission, journal }: { submission: AdminSubmission; journal: JournalEntry[] }) {
  const steps: Step[] = [{ at: submission.createdAt, what: 'Created' }];
  for (const entry of journal) {
    const failed = entry.status >= 400 || entry.status === 0;
    steps.push({
      at: entry.at,
      what: `${describe(entry)} → ${entry.status === 0 ? 'no answer' : entry.status}`,
      detail: entry.nearMiss
        ? `${entry.nearMiss.rule}: ${entry.nearMiss.message}${entry.nearMiss.field ? ` (${entry.nearMiss.field})` : ''}`
        : `${entry.method} ${entry.path}, ${durationOf(entry.durationMs)}`,
      failed,
    });
  }
  if (submission.confirmedAt) steps.push({ at: submission.confirmedAt, what: 'Confirmed' });
  if (submission.completedAt) {
    steps.push({
      at: submission.completedAt,
      what: `Completed: ${submission.status}${submission.outcome ? `, ${submission.outcome}` : ''}`,
    });
  }
  for (const delivery of submission.callbacks) {
    delivery.attempts.forEach((attempt, i) => {
      const answer =
        attempt.statusCode !== undefined ? `HTTP ${attempt.statusCode}` : (attempt.error ?? 'no answer');
      steps.push({
        at: attempt.at,
        what: `Callback attempt ${i + 1}: ${attempt.ok ? 'delivered' : 'failed'} (${answer})`,
        detail: `POST ${delivery.url}, webhook-id ${delivery.webhookId}, ${durationOf(attempt.durationMs)}${attempt.error && attempt.statusCode !== undefined ? `, ${attempt.error}` : ''}`,
        failed: !attempt.ok,
      });
    });
  }
  // Stable: steps recorded at the same millisecond keep the order they were added in.
  const ordered = steps
    .map((step, i) => ({ step, i }))
    .sort((a, b) => Date.parse(a.step.at) - Date.parse(b.step.at) || a.i - b.i)
    .map(({ step }) => step);
  return (
    <ol class="timeline" data-testid="timeline">
      {ordered.map((step, i) => (
        <li key={`${step.at}-${i}`} class={step.failed ? 'step-failed' : ''}>
          <time dateTime={step.at}>{timeOf(step.at)}</time> <strong>{step.what}</strong>
          {step.detail && <div class="muted wrap">{step.detail}</div>}
        </li>
      ))}
    </ol>
  );
}

function describe(entry: JournalEntry): string {
  const path = entry.path.split('?')[0] ?? entry.path;
  if (entry.area === 'bucket') return `Upload ${path.split('/').pop() ?? ''}`.trim();
  if (path.endsWith('/confirm')) return 'Confirm';
  if (path.endsWith('/status')) return 'Status poll';
  if (path.endsWith('/uploads')) return 'Upload URLs re-issued';
  if (path.endsWith('/callbacks')) return 'Callbacks listed';
  if (entry.method === 'POST' && path === '/v1/submissions') return 'Create';
  return `${entry.method} ${path}`;
}
