import type { Thresholds } from '../domain/outcome.ts';
import type { Submission } from '../domain/Submission.ts';
import type { ScenarioChoiceResult, ScenarioRequest } from '../scenarios/chooseScenario.ts';
import type { ScenarioRuntime } from '../scenarios/createScenarioRuntime.ts';
import type { Scenario } from '../scenarios/scenarioSchema.ts';
import type { ImageRole, ScoringEngine } from '../scoring/ScoringEngine.ts';
import type { RecordStore } from '../store/RecordStore.ts';
import type { BusinessClock } from '../time/Clock.ts';

/** What the flow needs from the bucket: the bytes and ETag of an uploaded object. */
export interface UploadedObjects {
  head(key: string): Promise<{ etag: string } | null>;
  get(key: string): Promise<{ bytes: Buffer; etag: string } | null>;
}

export interface PresignedUpload {
  imageType: ImageRole;
  url: string;
  method: 'PUT';
  headers: { 'Content-Type': string };
  expiresAt: string;
}

/** How the completion callback of one submission is to be delivered (a scenario may force failures or repeats). */
export interface CompletionDelivery {
  submission: Submission;
  url: string;
  failAttempts?: 'all' | number;
  duplicates?: number;
}

/** Everything the submission flow talks to, supplied by the composition root. */
export interface FlowDeps {
  submissions: RecordStore<Submission>;
  objects: UploadedObjects;
  /** The engine for one submission: its scenario's result, a fixture image's declared one, or the real engine. */
  engineFor(submission: Submission): ScoringEngine;
  /** The name the real engine reports when no scenario or fixture speaks. */
  engineName: string;
  presign(imageType: ImageRole, key: string, contentType: string, expiresAt: Date): PresignedUpload;
  thresholdsFor(partnerId: string): Thresholds;
  defaultCallbackUrl(partnerId: string): string | null;
  /** The partner's business clock: expiries, delays and retries read it, and tests advance it. */
  clockFor(partnerId: string): BusinessClock;
  chooseScenario(request: ScenarioRequest): ScenarioChoiceResult;
  scenarioOf(submission: Submission): Scenario | undefined;
  scenarioRuntime: ScenarioRuntime;
  callbacks: {
    /** Webhook ids already created for the submission (any state). */
    deliveryCount(correlationId: string): Promise<number>;
    dispatch(delivery: CompletionDelivery): Promise<void>;
  };
  newCorrelationId(): string;
  uploadUrlTtlSeconds: number;
  /** Simulated processing latency, so partners see PROCESSING and exercise their polling. */
  processingDelayMs: number;
  onError(context: string, error: unknown): void;
}
