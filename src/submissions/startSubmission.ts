import {
  type DocumentType,
  IMAGE_ROLES,
  type ImageContentType,
  type Submission,
} from '../domain/Submission.ts';
import { openSubmission } from '../domain/submissionLifecycle.ts';
import type { FlowDeps, PresignedUpload } from './FlowDeps.ts';

export interface StartRequest {
  referenceId?: string;
  callbackUrl?: string;
  documentType?: DocumentType;
  selfieContentType?: ImageContentType;
  documentContentType?: ImageContentType;
}

export interface Started {
  submission: Submission;
  uploads: PresignedUpload[];
}

/** "Get Presigned URL": open a submission and hand out one signed upload per image. */
export async function startSubmission(
  deps: FlowDeps,
  partnerId: string,
  request: StartRequest,
): Promise<Started> {
  const now = deps.now();
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
    },
    now,
  );
  await deps.submissions.put(submission.correlationId, submission);
  return { submission, uploads: presignUploads(deps, submission, now) };
}

export function presignUploads(deps: FlowDeps, submission: Submission, now: Date): PresignedUpload[] {
  const expiresAt = new Date(now.getTime() + deps.uploadUrlTtlSeconds * 1000);
  return IMAGE_ROLES.map((role) =>
    deps.presign(
      role,
      deps.objectKey(submission.correlationId, role),
      submission.contentTypes[role],
      expiresAt,
    ),
  );
}
