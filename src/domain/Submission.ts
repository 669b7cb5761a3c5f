import type { ImageAnalysis, ImageRole, Reason } from '../scoring/ScoringEngine.ts';
import type { Outcome, Thresholds } from './outcome.ts';

export type SubmissionStatus = 'AWAITING_UPLOAD' | 'PROCESSING' | 'COMPLETED' | 'FAILED';

export const DOCUMENT_TYPES = [
  'KTP',
  'PASSPORT',
  'KITAS',
  'DRIVING_LICENSE',
  'NATIONAL_ID',
  'RESIDENCE_PERMIT',
  'OTHER',
] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export const IMAGE_ROLES: readonly ImageRole[] = ['SELFIE', 'DOCUMENT'];
export type ImageContentType = 'image/jpeg' | 'image/png' | 'image/webp' | 'image/jp2';

export interface MatchResult {
  score: number;
  outcome: Outcome;
  /** The thresholds in force when the score was classified, so a later config change cannot rewrite history. */
  thresholds: Thresholds;
  reasons: Reason[];
  faces: { selfie: ImageAnalysis | null; document: ImageAnalysis | null };
  engine: string;
}

export interface Submission {
  correlationId: string;
  partnerId: string;
  referenceId: string | null;
  documentType: DocumentType;
  callbackUrl: string | null;
  contentTypes: Record<ImageRole, ImageContentType>;
  status: SubmissionStatus;
  createdAt: string;
  updatedAt: string;
  confirmedAt: string | null;
  completedAt: string | null;
  /** ETags of the objects that were confirmed: the job scores exactly these bytes. */
  confirmedUploads: Partial<Record<ImageRole, string>>;
  result: MatchResult | null;
  /**
   * While PROCESSING: when scoring falls due on the partner's clock (confirm time plus the delay
   * or the scenario's), or null while only a poll count or an admin advance can make it due.
   * Absent on records written before the shared sandbox.
   */
  processDueAt?: string | null;
  /**
   * The mock's scenario in force and what chose it; null when the fixture images or the engine
   * decide. Mock metadata: shown by the admin API and a response header, never in partner bodies.
   * Absent on records written before scenarios existed.
   */
  scenario?: SubmissionScenario | null;
}

export interface SubmissionScenario {
  name: string;
  source: 'prefer-header' | 'reference-id' | 'admin-queue';
}
