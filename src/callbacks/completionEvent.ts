/**
 * The thin completion event: it tells the partner *that* a submission finished,
 * never *how*. The result is fetched with Get Submission Details under the
 * partner's token, so a leaked or replayed callback reveals no biometric outcome.
 */
export interface CompletionEvent {
  type: 'submission.completed';
  timestamp: string;
  data: {
    correlationId: string;
    referenceId: string | null;
    status: string;
  };
}

export interface CompletionEventInput {
  correlationId: string;
  referenceId?: string | null;
  status: string;
  at: Date;
}

export function completionEvent({
  correlationId,
  referenceId,
  status,
  at,
}: CompletionEventInput): CompletionEvent {
  return {
    type: 'submission.completed',
    timestamp: at.toISOString(),
    // null rather than absent so partners can rely on the key being present.
    data: { correlationId, referenceId: referenceId ?? null, status },
  };
}
