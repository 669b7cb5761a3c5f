import type { components } from '../http/generated/openapi.ts';

export type Problem = components['schemas']['Problem'];

/**
 * An answer the flow cannot continue from. `problem` is the RFC 9457 body when the API sent one
 * (its `code` is stable, so branch on it); bucket errors carry the S3 `Code` and `Message` instead.
 */
export class FaceMatchApiError extends Error {
  readonly status: number;
  readonly operation: string;
  readonly problem: Problem | undefined;
  readonly s3: { code: string; message: string } | undefined;

  constructor(
    operation: string,
    status: number,
    details: { problem?: Problem; s3?: { code: string; message: string }; message?: string },
  ) {
    const why =
      details.message ??
      (details.problem
        ? `${details.problem.code}: ${details.problem.detail ?? details.problem.title}`
        : details.s3
          ? `${details.s3.code}: ${details.s3.message}`
          : 'unexpected answer');
    super(`${operation} answered ${status} (${why})`);
    this.name = 'FaceMatchApiError';
    this.operation = operation;
    this.status = status;
    this.problem = details.problem;
    this.s3 = details.s3;
  }
}
