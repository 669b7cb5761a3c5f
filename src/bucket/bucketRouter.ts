import express, { type Request, type Response, type Router } from 'express';
import type { BucketCredentials } from './BucketCredentials.ts';
import { sendBucketFailure } from './bucketFailure.ts';
import type { ObjectStore } from './ObjectStore.ts';
import { decodeObjectKeyPath } from './objectKey.ts';
import { readCappedBody } from './readCappedBody.ts';
import { type S3Error, s3Errors, sendS3Error } from './s3Error.ts';
import { verifyPresignedRequest } from './verifyPresignedRequest.ts';

export interface BucketRouterOptions {
  store: ObjectStore;
  credentials: BucketCredentials;
  /** Largest object accepted, in bytes (the default is 10 MB; config decides). */
  maxObjectBytes: number;
  /**
   * Lets the owner of a key refuse a write before its body is read (e.g. once the submission an
   * image belongs to is confirmed), so a locked key costs no upload. The store's `put` decides
   * again in the same step as the write, so an upload that was streaming while the owner locked
   * the key is refused too.
   */
  canWrite?: (key: string) => boolean | Promise<boolean>;
  /**
   * How long an upload may send nothing before it is answered (IncompleteBody when it declared
   * a Content-Length, RequestTimeout when chunked). S3 waits about 20 s; tests pass less.
   */
  bodyIdleTimeoutMs?: number;
  /** Told about failures of our own (not the store being unreachable), which answer InternalError. */
  onError?: (error: unknown) => void;
  /**
   * The time a presigned URL's expiry is checked against, per object key: the owning partner's
   * business clock, so a test that advances it expires the URL. Wall time when absent.
   */
  nowFor?: (key: string) => Promise<Date>;
}

const DEFAULT_BODY_IDLE_TIMEOUT_MS = 20_000;

const ALLOWED_METHODS = ['GET', 'HEAD', 'PUT'] as const;

/**
 * The Bucket Service: an S3/OSS-like object endpoint for presigned URLs, to mount at `/bucket`.
 *
 * Mount it BEFORE any body parser (express.json() and friends): it reads the raw request
 * stream itself, with a size cap, and a parser that ran first would have consumed the bytes.
 * If that happens anyway it answers InternalError rather than store an empty object.
 *
 * Content-Length is not required: OSS accepts `Transfer-Encoding: chunked` uploads, and the
 * streaming cap bounds them as well as a declared length would. (S3 would answer 411
 * MissingContentLength; being as lenient as the friendlier production store costs nothing.)
 *
 * Every outcome, including failures of the store or of `canWrite`, is an XML answer; nothing is
 * passed on to express's error handling.
 */
export function createBucketRouter(options: BucketRouterOptions): Router {
  const router = express.Router();
  router.use((req, res) => {
    handle(req, res, options).catch((error: unknown) => sendBucketFailure(res, error, options.onError));
  });
  return router;
}

async function handle(req: Request, res: Response, options: BucketRouterOptions): Promise<void> {
  // Responses are about one object and must never be cached by a proxy between partner and mock.
  res.setHeader('Cache-Control', 'no-store');
  const method = req.method;
  if (!(ALLOWED_METHODS as readonly string[]).includes(method)) {
    res.setHeader('Allow', ALLOWED_METHODS.join(', '));
    return sendS3Error(res, s3Errors.methodNotAllowed({ method, allowed: ALLOWED_METHODS }));
  }

  // The raw URL, not req.path/req.query: those are decoded and merged by express, which would
  // hide duplicated parameters and malformed escapes that must be answered, not guessed at.
  const url = req.url;
  const queryStart = url.indexOf('?');
  const path = queryStart === -1 ? url : url.slice(0, queryStart);
  const query = new URLSearchParams(queryStart === -1 ? '' : url.slice(queryStart + 1));

  const keyOfPath = decodeObjectKeyPath(path);
  const check = verifyPresignedRequest({
    method,
    path,
    query,
    contentType: req.headers['content-type'],
    now: keyOfPath !== null && options.nowFor ? await options.nowFor(keyOfPath) : new Date(),
    credentials: options.credentials,
  });
  if (!check.ok) return refuse(req, res, check.error);

  if (method === 'PUT') return put(req, res, check.key, options);
  return read(req, res, check.key, options.store);
}

async function put(req: Request, res: Response, key: string, options: BucketRouterOptions): Promise<void> {
  const canWrite = options.canWrite ?? (() => true);
  if (!(await canWrite(key))) return refuse(req, res, s3Errors.writeLocked({ key }));

  const declared = req.headers['content-length'];
  const declaredBytes = declared === undefined ? null : Number(declared);
  if (declaredBytes !== null && declaredBytes > options.maxObjectBytes) {
    return refuse(
      req,
      res,
      s3Errors.entityTooLarge({ maxSizeAllowed: options.maxObjectBytes, proposedSize: declaredBytes }),
    );
  }
  if (req.readableEnded) {
    // A body parser mounted before this router took the bytes (see the note on createBucketRouter).
    return sendS3Error(res, s3Errors.internalError());
  }

  const body = await readCappedBody(req, {
    maxBytes: options.maxObjectBytes,
    idleTimeoutMs: options.bodyIdleTimeoutMs ?? DEFAULT_BODY_IDLE_TIMEOUT_MS,
  });
  switch (body.kind) {
    case 'too-large':
      return refuse(
        req,
        res,
        s3Errors.entityTooLarge({ maxSizeAllowed: options.maxObjectBytes, proposedSize: null }),
      );
    case 'stalled':
      return refuse(
        req,
        res,
        declaredBytes === null
          ? s3Errors.requestTimeout()
          : s3Errors.incompleteBody({ expected: declaredBytes, provided: body.receivedBytes }),
      );
    case 'aborted':
      // The client closed its side mid-body. Node's HTTP parser has already answered a bare 400
      // (or the socket is gone); there is nobody to send XML to and nothing to store.
      return;
  }

  const contentType = req.headers['content-type'] ?? '';
  const stored = await options.store.put(key, body.bytes, { contentType, etag: body.etag });
  if (stored === 'locked') return sendS3Error(res, s3Errors.writeLocked({ key }));
  res.status(200);
  res.setHeader('ETag', body.etag);
  res.setHeader('Content-Length', 0);
  res.end();
}

async function read(req: Request, res: Response, key: string, store: ObjectStore): Promise<void> {
  const meta = req.method === 'HEAD' ? await store.head(key) : await store.get(key);
  if (!meta) return sendS3Error(res, s3Errors.noSuchKey({ key }));
  res.status(200);
  res.setHeader('Content-Type', meta.contentType || 'application/octet-stream');
  res.setHeader('Content-Length', meta.size);
  res.setHeader('ETag', meta.etag);
  res.setHeader('Last-Modified', meta.storedAt.toUTCString());
  res.end('bytes' in meta ? meta.bytes : undefined);
}

/**
 * Answers an error before (or instead of) reading the request body. The connection is closed
 * after the answer, so an unread body — possibly far over the cap — is never read; keeping
 * the connection alive would make Node drain it to reach the next request.
 */
function refuse(req: Request, res: Response, error: S3Error): void {
  if (!req.complete) res.setHeader('Connection', 'close');
  sendS3Error(res, error);
}
