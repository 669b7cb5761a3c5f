import { randomUUID } from 'node:crypto';
import type { components } from '../../src/http/generated/openapi.ts';

type Schemas = components['schemas'];

/**
 * What a crash or a dying instance looks like to a client: no answer, a 5xx (502/503 from a gone
 * upstream), or 409 for an Idempotency-Key whose first request died with its server.
 */
function retriable(error: unknown, status?: number): boolean {
  if (status !== undefined) return status >= 500 || status === 409;
  return error instanceof Error;
}

/**
 * A partner backend that survives servers dying under it, as a careful one is written: every call
 * bounded, retried on a refused or cut connection and on 5xx with a short back-off, confirm with an
 * Idempotency-Key so a retry cannot start a second job. `baseUrl()` is asked before every attempt,
 * so a test can send each request to another instance.
 */
export function resilientPartner(p: {
  baseUrl: () => string;
  clientId: string;
  clientSecret: string;
  /** Gives up a step after this long (a server that stays away is a failure). */
  stepTimeoutMs?: number;
  /** Told of every attempt that will be tried again: where it went and what came back instead of an answer. */
  onRetry?: (retry: { path: string; base: string; status?: number; reason: string }) => void;
}) {
  const stepTimeoutMs = p.stepTimeoutMs ?? 30_000;
  let token: { value: string; until: number } | undefined;

  type Init = RequestInit & { url?: string };
  async function call(path: string, init: (base: string) => Init | Promise<Init>): Promise<Response> {
    const deadline = Date.now() + stepTimeoutMs;
    let last = '';
    for (let attempt = 0; ; attempt++) {
      const base = p.baseUrl();
      const { url, ...request } = await init(base);
      try {
        const response = await fetch(url ?? `${base}${path}`, {
          ...request,
          signal: AbortSignal.timeout(10_000),
        });
        if (!retriable(undefined, response.status)) return response;
        last = `${response.status} ${await response.text()}`;
        if (Date.now() <= deadline) p.onRetry?.({ path, base, status: response.status, reason: last });
      } catch (error) {
        last = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
        if (Date.now() <= deadline) p.onRetry?.({ path, base, reason: last });
      }
      if (Date.now() > deadline) throw new Error(`${path}: still failing after ${stepTimeoutMs} ms: ${last}`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 500)));
    }
  }

  async function bearer(): Promise<string> {
    if (token && token.until > Date.now()) return token.value;
    const response = await call('/v1/oauth/token', () => ({
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${p.clientId}:${p.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    }));
    const body = (await response.json()) as { access_token: string; expires_in: number };
    token = { value: body.access_token, until: Date.now() + (body.expires_in - 60) * 1000 };
    return token.value;
  }

  const authorized = async () => ({ authorization: `Bearer ${await bearer()}` });

  return {
    /**
     * One call, retried as above until answered with neither a 5xx nor a 409; `init` gets the base
     * URL of each attempt (give `url` to aim elsewhere than base + path).
     */
    request: call,
    /** The partner's access token (fetched once, then reused until shortly before it expires). */
    token: bearer,
    /** Create, upload both images, confirm; returns the correlationId once the confirm was answered 202. */
    async submit(
      images: { selfie: Buffer; document: Buffer },
      body: Schemas['CreateSubmissionRequest'] = {},
    ) {
      const headers = { ...(await authorized()), 'content-type': 'application/json' };
      const created = await call('/v1/submissions', () => ({
        method: 'POST',
        headers,
        body: JSON.stringify({ selfieContentType: 'image/png', ...body }),
      }));
      if (created.status !== 201)
        throw new Error(`create answered ${created.status}: ${await created.text()}`);
      const submission = (await created.json()) as Schemas['CreateSubmissionResponse'];
      for (const upload of submission.uploads) {
        const bytes = upload.imageType === 'SELFIE' ? images.selfie : images.document;
        // The presigned URL names one instance; a partner would use it as given, the test may not.
        const path = new URL(upload.url).pathname + new URL(upload.url).search;
        const put = await call(path, (base) => ({
          url: `${base}${path}`,
          method: 'PUT',
          headers: upload.headers,
          body: new Uint8Array(bytes),
        }));
        if (put.status !== 200) throw new Error(`upload answered ${put.status}: ${await put.text()}`);
      }
      const key = randomUUID();
      const path = `/v1/submissions/${submission.correlationId}/confirm`;
      const confirmed = await call(path, () => ({
        method: 'POST',
        headers: { ...headers, 'idempotency-key': key },
      }));
      if (confirmed.status !== 202)
        throw new Error(`confirm answered ${confirmed.status}: ${await confirmed.text()}`);
      return submission.correlationId;
    },

    /** Polls (every request possibly elsewhere) until COMPLETED or FAILED, then reads the details. */
    async outcome(correlationId: string, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const polled = await call(`/v1/submissions/${correlationId}/status`, async () => ({
          headers: await authorized(),
        }));
        if (polled.status !== 200)
          throw new Error(`status answered ${polled.status}: ${await polled.text()}`);
        const { status } = (await polled.json()) as Schemas['SubmissionStatus'];
        if (status === 'COMPLETED' || status === 'FAILED') break;
        if (Date.now() > deadline) throw new Error(`${correlationId} still ${status} after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const details = await call(`/v1/submissions/${correlationId}`, async () => ({
        headers: await authorized(),
      }));
      return (await details.json()) as Schemas['SubmissionDetails'];
    },
  };
}
