import type { Thresholds } from '../domain/outcome.ts';
import type { Submission } from '../domain/Submission.ts';
import type { ImageRole, ScoringEngine } from '../scoring/ScoringEngine.ts';
import type { RecordStore } from '../store/RecordStore.ts';

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

/** A finished submission whose completion callback must go out. */
export interface CompletionNotice {
  submission: Submission;
  /** The submission's callback URL, else the partner's default; null when the partner has neither. */
  url: string | null;
}

/** Everything the submission flow talks to, supplied by the composition root. */
export interface FlowDeps {
  submissions: RecordStore<Submission>;
  objects: UploadedObjects;
  engine: ScoringEngine;
  presign(imageType: ImageRole, key: string, contentType: string, expiresAt: Date): PresignedUpload;
  objectKey(correlationId: string, role: ImageRole): string;
  thresholdsFor(partnerId: string): Thresholds;
  defaultCallbackUrl(partnerId: string): string | null;
  notifyCompletion(notice: CompletionNotice): Promise<void>;
  newCorrelationId(): string;
  now(): Date;
  uploadUrlTtlSeconds: number;
  /** Simulated processing latency, so partners see PROCESSING and exercise their polling. */
  processingDelayMs: number;
  onError(context: string, error: unknown): void;
}
