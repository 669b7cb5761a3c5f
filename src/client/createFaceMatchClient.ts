import { randomUUID } from 'node:crypto';
import type { components } from '../http/generated/openapi.ts';
import { createTokenSource, type TokenSource } from './createTokenSource.ts';
import { FaceMatchApiError, type Problem } from './FaceMatchApiError.ts';
import { retryAfterMs } from './retryAfterMs.ts';
import { type RequestPolicy, sendRequest, sleep } from './sendRequest.ts';

type Schemas = components['schemas'];
export type CreateSubmissionRequest = Schemas['CreateSubmissionRequest'];
export type CreatedSubmission = Schemas['CreateSubmissionResponse'];
export type PresignedUpload = Schemas['PresignedUpload'];
export type ReissuedUploads = Schemas['ReissuedUploads'];
export type SubmissionStatus = Schemas['SubmissionStatus'];
export type SubmissionDetails = Schemas['SubmissionDetails'];
export type ImageType = Schemas['ImageType'];

export type FaceMatchClientOptions = ClientSettings &
  (
    | { clientId: string; clientSecret: string; accessToken?: undefined }
    | {
        /** Bring your own token (e.g. from a token cache your services share); asked before each request. */
        accessToken: () => Promise<string>;
        clientId?: undefined;
        clientSecret?: undefined;
      }
  );

interface ClientSettings {
  /** e.g. `http://127.0.0.1:8080`, without a trailing slash. */
  baseUrl: string;
  /** Per attempt; default 10 s. */
  timeoutMs?: number;
  /** Default 60 s. */
  refreshTokenBeforeExpiryMs?: number;
  /** Attempts for a 429/503 answer (honouring `Retry-After`); default 4. */
  maxAttempts?: number;
  /** The longest `Retry-After` the client waits out by itself; default 30 s. */
  maxRetryWaitMs?: number;
  fetch?: typeof fetch;
}

export interface UploadImages {
  selfie: Uint8Array;
  document: Uint8Array;
}

export interface PollOptions {
  /** Give up (FaceMatchTimeoutError) when the result is not there by then; default 5 minutes. */
  timeoutMs?: number;
  /** Wait between polls when the server sends no `Retry-After`; default 1 s. */
  defaultIntervalMs?: number;
}

/** The result did not arrive before the poll's deadline; the submission may still finish later. */
export class FaceMatchTimeoutError extends Error {
  constructor(
    readonly correlationId: string,
    readonly lastStatus: SubmissionStatus['status'],
    timeoutMs: number,
  ) {
    super(
      `Submission ${correlationId} still ${lastStatus} after ${timeoutMs} ms; poll again later or wait for the completion callback.`,
    );
    this.name = 'FaceMatchTimeoutError';
  }
}

const FINISHED = new Set<SubmissionStatus['status']>(['COMPLETED', 'FAILED']);

/**
 * The reference partner integration of the Face Match flow: token → create → upload both images →
 * confirm → poll → details. Every request has a timeout; 429 and 503 are retried after `Retry-After`;
 * a 401 `invalid_token` fetches a fresh token and retries once; an expired upload URL is re-issued.
 */
export function createFaceMatchClient(options: FaceMatchClientOptions) {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const base: RequestPolicy = {
    timeoutMs: options.timeoutMs ?? 10_000,
    maxAttempts: options.maxAttempts ?? 4,
    maxWaitMs: options.maxRetryWaitMs ?? 30_000,
    retryNetworkErrors: false,
    fetch: options.fetch ?? fetch,
  };
  const idempotent: RequestPolicy = { ...base, retryNetworkErrors: true };
  const tokens: TokenSource = options.accessToken
    ? { get: options.accessToken, invalidate: () => {} }
    : createTokenSource({
        baseUrl,
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        refreshBeforeExpiryMs: options.refreshTokenBeforeExpiryMs ?? 60_000,
        policy: idempotent,
      });

  /** A partner API call with the bearer token; one retry with a fresh token after 401 invalid_token. */
  async function call<T>(
    operation: string,
    path: string,
    init: { method?: string; headers?: Record<string, string>; json?: unknown },
    expected: number,
    policy: RequestPolicy,
  ): Promise<{ body: T; response: Response }> {
    for (let attempt = 1; ; attempt++) {
      const token = await tokens.get();
      const response = await sendRequest(
        `${baseUrl}${path}`,
        () => ({
          method: init.method ?? 'GET',
          headers: {
            accept: 'application/json',
            authorization: `Bearer ${token}`,
            ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
            ...init.headers,
          },
          body: init.json === undefined ? undefined : JSON.stringify(init.json),
        }),
        policy,
      );
      const body = await response.json().catch(() => undefined);
      if (response.status === expected) return { body: body as T, response };
      if (response.status === 401 && attempt === 1 && isInvalidToken(response)) {
        tokens.invalidate(token);
        continue;
      }
      throw new FaceMatchApiError(operation, response.status, { problem: body as Problem | undefined });
    }
  }

  const client = {
    /** The current access token (cached; refreshed before it expires). */
    token: () => tokens.get(),

    /** Starts a submission; `scenario` (mock only) sends `Prefer: scenario=<name>`. */
    async createSubmission(
      request: CreateSubmissionRequest = {},
      extra: { scenario?: string } = {},
    ): Promise<CreatedSubmission> {
      const headers: Record<string, string> = extra.scenario ? { prefer: `scenario=${extra.scenario}` } : {};
      // Not retried on a lost connection: a second POST would start a second submission.
      const { body } = await call<CreatedSubmission>(
        'createSubmission',
        '/v1/submissions',
        { method: 'POST', headers, json: request },
        201,
        base,
      );
      return body;
    },

    /** New presigned URLs for the named images (both when absent), for a submission not confirmed yet. */
    async reissueUploads(correlationId: string, imageTypes?: ImageType[]): Promise<ReissuedUploads> {
      const { body } = await call<ReissuedUploads>(
        'reissueUploads',
        `/v1/submissions/${encodeURIComponent(correlationId)}/uploads`,
        { method: 'POST', json: imageTypes ? { imageTypes } : {} },
        200,
        idempotent,
      );
      return body;
    },

    /**
     * PUTs each image to its presigned URL exactly as handed out (method, Content-Type). When the bucket
     * says "Request has expired", asks for a fresh URL for that image and uploads again.
     */
    async uploadImages(
      submission: Pick<CreatedSubmission, 'correlationId' | 'uploads'>,
      images: UploadImages,
    ) {
      for (const upload of submission.uploads) {
        const bytes = upload.imageType === 'SELFIE' ? images.selfie : images.document;
        try {
          await client.uploadImage(upload, bytes);
        } catch (error) {
          if (!(error instanceof FaceMatchApiError && isExpired(error))) throw error;
          const { uploads } = await client.reissueUploads(submission.correlationId, [upload.imageType]);
          const fresh = uploads.find((u) => u.imageType === upload.imageType);
          if (!fresh) throw error;
          await client.uploadImage(fresh, bytes);
        }
      }
    },

    /** One PUT to one presigned URL; a refusal is a FaceMatchApiError with the bucket's `s3` code and message. */
    async uploadImage(upload: PresignedUpload, bytes: Uint8Array): Promise<void> {
      const response = await sendRequest(
        upload.url,
        () => ({ method: upload.method, headers: upload.headers, body: new Uint8Array(bytes) }),
        idempotent,
      );
      const text = await response.text();
      if (!response.ok) throw new FaceMatchApiError('uploadImage', response.status, { s3: s3ErrorOf(text) });
    },

    /** Starts processing. The Idempotency-Key makes a repeat after a lost answer safe. */
    async confirm(correlationId: string, idempotencyKey: string = randomUUID()): Promise<SubmissionStatus> {
      const { body } = await call<SubmissionStatus>(
        'confirmSubmission',
        `/v1/submissions/${encodeURIComponent(correlationId)}/confirm`,
        { method: 'POST', headers: { 'idempotency-key': idempotencyKey } },
        202,
        idempotent,
      );
      return body;
    },

    async status(correlationId: string): Promise<{ status: SubmissionStatus; retryAfter: string | null }> {
      const { body, response } = await call<SubmissionStatus>(
        'getSubmissionStatus',
        `/v1/submissions/${encodeURIComponent(correlationId)}/status`,
        {},
        200,
        idempotent,
      );
      return { status: body, retryAfter: response.headers.get('retry-after') };
    },

    /** Polls until COMPLETED or FAILED, waiting as long as each `Retry-After` asks, up to a deadline. */
    async waitForCompletion(correlationId: string, poll: PollOptions = {}): Promise<SubmissionStatus> {
      const timeoutMs = poll.timeoutMs ?? 300_000;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { status, retryAfter } = await client.status(correlationId);
        if (FINISHED.has(status.status)) return status;
        const waitMs = retryAfterMs(retryAfter, poll.defaultIntervalMs ?? 1000);
        if (Date.now() + waitMs > deadline)
          throw new FaceMatchTimeoutError(correlationId, status.status, timeoutMs);
        await sleep(waitMs);
      }
    },

    async details(correlationId: string): Promise<SubmissionDetails> {
      const { body } = await call<SubmissionDetails>(
        'getSubmissionDetails',
        `/v1/submissions/${encodeURIComponent(correlationId)}`,
        {},
        200,
        idempotent,
      );
      return body;
    },

    /** The whole flow for one pair of images; answers the details once the submission has finished. */
    async matchFaces(
      images: UploadImages,
      request: CreateSubmissionRequest & { scenario?: string; poll?: PollOptions } = {},
    ): Promise<SubmissionDetails> {
      const { scenario, poll, ...body } = request;
      const submission = await client.createSubmission(body, { scenario });
      await client.uploadImages(submission, images);
      await client.confirm(submission.correlationId);
      await client.waitForCompletion(submission.correlationId, poll);
      return client.details(submission.correlationId);
    },
  };

  return client;
}

export type FaceMatchClient = ReturnType<typeof createFaceMatchClient>;

/** S3's own words for an expired presigned URL; the fix is a re-issued URL, not a retry. */
function isExpired(error: FaceMatchApiError): boolean {
  return error.status === 403 && error.s3?.message === 'Request has expired';
}

function isInvalidToken(response: Response): boolean {
  return /error="invalid_token"/.test(response.headers.get('www-authenticate') ?? '');
}

/** The bucket answers S3-style XML; its `Code` and `Message` are what a partner branches on. */
function s3ErrorOf(xml: string): { code: string; message: string } {
  const pick = (tag: string) => xml.match(new RegExp(`<${tag}>([^<]*)</${tag}>`))?.[1] ?? '';
  return { code: pick('Code'), message: pick('Message') };
}
