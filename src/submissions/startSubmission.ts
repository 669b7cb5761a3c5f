import {
  type DocumentType,
  IMAGE_ROLES,
  type ImageContentType,
  type Submission,
} from '../domain/Submission.ts';
import { openSubmission } from '../domain/submissionLifecycle.ts';
import type { FlowDeps, PresignedUpload } from './FlowDeps.ts';
import { uploadKey } from './uploadKey.ts';

export interface StartRequest {
  referenceId?: string;
  callbackUrl?: string;
  documentType?: DocumentType;
  selfieContentType?: ImageContentType;
  documentContentType?: ImageContentType;
}

export type StartAnswer =
  | { kind: 'started'; submission: Submission; uploads: PresignedUpload[] }
  | { kind: 'unknown-scenario'; field: 'Prefer' | '/referenceId'; name: string; known: string[] };

/** "Get Presigned URL": open a submission, fix its scenario, and hand out one signed upload per image. */
export async function startSubmission(
  deps: FlowDeps,
  partnerId: string,
  request: StartRequest,
  options: { prefer?: string | undefined } = {},
): Promise<StartAnswer> {
  const chosen = await deps.chooseScenario({
    partnerId,
    prefer: options.prefer,
    referenceId: request.referenceId,
  });
  if (!chosen.ok) return { kind: 'unknown-scenario', ...chosen };
  const now = await deps.clocks.now(partnerId);
  const submission = openSubmission(
    {
      correlationId: deps.newCorrelationId(),
      partnerId,
      referenceId: request.referenceId ?? null,
      documentType: request.documentType ?? 'OTHER',
      callbackUrl: request.callbackUrl ?? null,
      contentTypes: {
        SELFIE: request.selfieContentType ?? 'image/jpeg',
        DOCUMENT: request.documentContentType ?? 'image/jpeg',
      },
      scenario: chosen.choice,
    },
    now,
  );
  await deps.store.submissions.create(submission);
  // A scenario may hand out URLs that are already expired, to drive the re-issue path.
  const expired = deps.scenarioOf(submission)?.uploadUrls?.expired === true;
  const expiresAt = expired ? new Date(now.getTime() - 1000) : undefined;
  return {
    kind: 'started',
    submission,
    uploads: presignUploads(deps, submission, now, IMAGE_ROLES, expiresAt),
  };
}

export function presignUploads(
  deps: FlowDeps,
  submission: Submission,
  now: Date,
  roles: readonly (typeof IMAGE_ROLES)[number][] = IMAGE_ROLES,
  expiresAt: Date = new Date(now.getTime() + deps.uploadUrlTtlSeconds * 1000),
): PresignedUpload[] {
  return roles.map((role) =>
    deps.presign(role, uploadKey(submission.correlationId, role), submission.contentTypes[role], expiresAt),
  );
}
