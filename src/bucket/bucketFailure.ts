import type { NextFunction, Request, Response } from 'express';
import { isOutOfDescriptors } from '../http/outOfDescriptors.ts';
import { StorageError } from '../store/StorageError.ts';
import { s3Errors, sendS3Error } from './s3Error.ts';

/**
 * What the bucket answers when something of ours fails, in S3's XML like every bucket answer: the
 * store out of reach, or no file descriptor left, is S3's "slow down and try again" (nothing was
 * stored), anything else an InternalError, reported to `onError`.
 */
export function sendBucketFailure(res: Response, error: unknown, onError?: (error: unknown) => void): void {
  if (error instanceof StorageError || isOutOfDescriptors(error)) {
    if (!res.headersSent) res.setHeader('Retry-After', '1');
    sendS3Error(res, s3Errors.serviceUnavailable());
    return;
  }
  onError?.(error);
  sendS3Error(res, s3Errors.internalError());
}

/** The same, as the error handler of everything mounted at /bucket (a scenario fault that could not read its state, say). */
export function bucketErrorHandler(onError?: (error: unknown) => void) {
  return (error: unknown, _req: Request, res: Response, _next: NextFunction) =>
    sendBucketFailure(res, error, onError);
}
