import type { CheckCallbackTarget } from '../callbacks/checkCallbackTarget.ts';
import type { Thresholds } from '../domain/outcome.ts';
import type { Submission } from '../domain/Submission.ts';
import type { ScenarioChoiceResult, ScenarioRequest } from '../scenarios/chooseScenario.ts';
import type { Scenario } from '../scenarios/scenarioSchema.ts';
import type { ImageRole, ScoringEngine } from '../scoring/ScoringEngine.ts';
import type { SandboxStore } from '../store/SandboxStore.ts';
import type { PartnerClocks } from '../time/PartnerClocks.ts';

export interface PresignedUpload {
  imageType: ImageRole;
  url: string;
  method: 'PUT';
  headers: { 'Content-Type': string };
  expiresAt: string;
}

/** Everything the submission flow talks to, supplied by the composition root. */
export interface FlowDeps {
  store: Pick<SandboxStore, 'submissions' | 'deliveries' | 'scenarios' | 'work'>;
  /** The engine for one submission: its scenario's result, a fixture image's declared one, or the real engine. */
  engineFor(submission: Submission): ScoringEngine;
  /** The name the real engine reports when no scenario or fixture speaks. */
  engineName: string;
  presign(imageType: ImageRole, key: string, contentType: string, expiresAt: Date): PresignedUpload;
  thresholdsFor(partnerId: string): Thresholds;
  defaultCallbackUrl(partnerId: string): string | null;
  /** The partner's `whsec_…` secret, or undefined for a partner that does not exist (any more). */
  webhookSecretFor(partnerId: string): string | undefined;
  /** The partner's business clock: expiries, delays and retries read it, and tests advance it. */
  clocks: Pick<PartnerClocks, 'now'>;
  chooseScenario(request: ScenarioRequest): Promise<ScenarioChoiceResult>;
  scenarioOf(submission: Submission): Scenario | undefined;
  newCorrelationId(): string;
  newWebhookId(): string;
  uploadUrlTtlSeconds: number;
  /** Simulated processing latency, so partners see PROCESSING and exercise their polling. */
  processingDelayMs: number;
  callbacks: {
    /** Delays in ms before each retry; attempts = 1 + retryScheduleMs.length. */
    retryScheduleMs: readonly number[];
    timeoutMs: number;
    userAgent?: string;
    /** The callback policy, on the address each attempt will connect to (resolved once, here). */
    checkTarget: CheckCallbackTarget;
  };
  onError(context: string, error: unknown): void;
}
