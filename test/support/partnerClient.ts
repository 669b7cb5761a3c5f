import type { components } from '../../src/http/generated/openapi.ts';

type Schemas = components['schemas'];

/** Every request carries a timeout: a hang fails the test with a reason instead of stalling it. */
const REQUEST_TIMEOUT_MS = 15_000;

/**
 * What a partner backend does, step by step, over real HTTP with fetch. Each
 * step returns the raw Response as well, so tests can assert on it.
 */
export function partnerClient(baseUrl: string, token: string) {
  const auth = { authorization: `Bearer ${token}` };
  const json = { ...auth, 'content-type': 'application/json' };
  return {
    async createSubmission(body: Schemas['CreateSubmissionRequest'] = {}) {
      const response = await fetch(`${baseUrl}/v1/submissions`, {
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        method: 'POST',
        headers: json,
        body: JSON.stringify(body),
      });
      return { response, body: (await response.json()) as Schemas['CreateSubmissionResponse'] };
    },
    async upload(upload: Schemas['PresignedUpload'], bytes: Buffer) {
      return fetch(upload.url, {
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        method: upload.method,
        headers: upload.headers,
        body: new Uint8Array(bytes),
      });
    },
    async confirm(correlationId: string, headers: Record<string, string> = {}) {
      const response = await fetch(`${baseUrl}/v1/submissions/${correlationId}/confirm`, {
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        method: 'POST',
        headers: { ...auth, ...headers },
      });
      return { response, body: (await response.json()) as Record<string, unknown> };
    },
    async status(correlationId: string) {
      const response = await fetch(`${baseUrl}/v1/submissions/${correlationId}/status`, {
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        headers: auth,
      });
      return { response, body: (await response.json()) as Schemas['SubmissionStatus'] };
    },
    async details(correlationId: string) {
      const response = await fetch(`${baseUrl}/v1/submissions/${correlationId}`, {
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        headers: auth,
      });
      return { response, body: (await response.json()) as Schemas['SubmissionDetails'] };
    },
    async callbacks(correlationId: string) {
      const response = await fetch(`${baseUrl}/v1/submissions/${correlationId}/callbacks`, {
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        headers: auth,
      });
      return { response, body: (await response.json()) as { deliveries: Schemas['CallbackDelivery'][] } };
    },
    /** Polls the status as the seed's flow does, honouring Retry-After (capped for tests). */
    async pollUntilFinished(correlationId: string, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { response, body } = await this.status(correlationId);
        if (body.status === 'COMPLETED' || body.status === 'FAILED') return body;
        if (Date.now() > deadline) throw new Error(`still ${body.status} after ${timeoutMs} ms`);
        const retryAfter = Number(response.headers.get('retry-after') ?? '1');
        await new Promise((resolve) => setTimeout(resolve, Math.min(retryAfter * 1000, 50)));
      }
    },
    uploadFor(created: Schemas['CreateSubmissionResponse'], imageType: 'SELFIE' | 'DOCUMENT') {
      const upload = created.uploads.find((u) => u.imageType === imageType);
      if (!upload) throw new Error(`no ${imageType} upload in the response`);
      return upload;
    },
  };
}
