import type { SubmissionStatus } from '../domain/Submission.ts';
import type { EngineLoad } from '../scoring/ScoringEngine.ts';

/** How one completion-callback attempt ended, as a partner's receiver caused it. */
export type CallbackAttemptResult = 'delivered' | 'rejected' | 'unreachable';

/** What the server counts for `GET /metrics`; each method is one event, cheap enough for every request. */
export interface Metrics {
  /** `route` is the operation's path template, never the raw path: one series per endpoint, not per id. */
  httpRequest(p: { method: string; route: string; status: number }): void;
  flowFinished(p: { status: SubmissionStatus; outcome: string | null }): void;
  callbackAttempt(result: CallbackAttemptResult): void;
  scoring(p: { engine: string; seconds: number; failed: boolean }): void;
  /** Adds the engine's worker load, read on every scrape; called only for engines with workers. */
  watchEngineLoad(read: () => EngineLoad): void;
  /** The Prometheus text exposition. */
  render(): Promise<string>;
  readonly contentType: string;
}
