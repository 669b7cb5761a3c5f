import type { components } from '../../src/http/generated/openapi.ts';

type Schemas = components['schemas'];

/**
 * What a partner backend does, step by step, over real HTTP with fetch. Each
 * step returns the raw Response as well, so tests can assert on it.
 */
/** Every call is bounded: a request that can hang will, on someone's machine. */
const timeout = () => AbortSignal.timeout(15_000);

export function partnerClient(baseUrl: string, token: string) {
  const auth = { authorization: `Bearer ${token}` };
  const json = { ...auth, 'content-type': 'application/json' };
  return {
    async createSubmission(
      body: Schemas['CreateSubmissionRequest'] = {},
      headers: Record<string, string> = {},
    ) {
      const response = await fetch(`${baseUrl}/v1/submissions`, {
        method: 'POST',
        headers: { ...json, ...headers },
        body: JSON.stringify(body),
        signal: timeout(),
      });
      return { response, body: (await response.json()) as Schemas['CreateSubmissionResponse'] };
    },
    async upload(upload: Schemas['PresignedUpload'], bytes: Buffer) {
      return fetch(upload.url, {
        method: upload.method,
        headers: upload.headers,
        body: new Uint8Array(bytes),
        signal: timeout(),
      });
    },
    async confirm(correlationId: string, headers: Record<string, string> = {}) {
      const response = await fetch(`${baseUrl}/v1/submissions/${correlationId}/confirm`, {
        method: 'POST',
        headers: { ...auth, ...headers },
        signal: timeout(),
      });
      return { response, body: (await response.json()) as Record<string, unknown> };
    },
    async status(correlationId: string) {
      const response = await fetch(`${baseUrl}/v1/submissions/${correlationId}/status`, {
        headers: auth,
        signal: timeout(),
      });
      return { response, body: (await response.json()) as Schemas['SubmissionStatus'] };
    },
    async details(correlationId: string) {
      const response = await fetch(`${baseUrl}/v1/submissions/${correlationId}`, {
        headers: auth,
        signal: timeout(),
      });
      return { response, body: (await response.json()) as Schemas['SubmissionDetails'] };
    },
    async callbacks(correlationId: string) {
      const response = await fetch(`${baseUrl}/v1/submissions/${correlationId}/callbacks`, {
        headers: auth,
        signal: timeout(),
      });
      return { response, body: (await response.json()) as { deliveries: Schemas['CallbackDelivery'][] } };
    },
    async reissueUploads(correlationId: string, body: Schemas['ReissueUploadsRequest'] = {}) {
      const response = await fetch(`${baseUrl}/v1/submissions/${correlationId}/uploads`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify(body),
        signal: timeout(),
      });
      return { response, body: (await response.json()) as Schemas['ReissuedUploads'] };
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
