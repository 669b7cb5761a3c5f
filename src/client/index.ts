/**
 * `facematch-mock/client`: the reference partner integration of the Face Match API, typed from
 * openapi/facematch.yaml. It speaks only the partner contract, so it works against production too;
 * the one mock-only option is `scenario` on `createSubmission`.
 */
export {
  type CreatedSubmission,
  type CreateSubmissionRequest,
  createFaceMatchClient,
  type FaceMatchClient,
  type FaceMatchClientOptions,
  FaceMatchTimeoutError,
  type ImageType,
  type PollOptions,
  type PresignedUpload,
  type ReissuedUploads,
  type SubmissionDetails,
  type SubmissionStatus,
  type UploadImages,
} from './createFaceMatchClient.ts';
export { FaceMatchApiError, type Problem } from './FaceMatchApiError.ts';
export { retryAfterMs } from './retryAfterMs.ts';
export {
  type CallbackRequest,
  CallbackVerificationError,
  type CompletionEvent,
  type VerifyCallbackOptions,
  verifyCallback,
} from './verifyCallback.ts';
