import type { components } from '../../src/http/generated/openapi.ts';
import { problemOf, requestPartnerToken } from './adminApi.ts';

type Schemas = components['schemas'];
type Created = Schemas['CreateSubmissionResponse'];
type Status = Schemas['SubmissionStatus'];
type Details = Schemas['SubmissionDetails'];

export interface FlowInput {
  clientId: string;
  clientSecret: string;
  referenceId: string;
  scenario: string;
  selfie: File;
  document: File;
}

export type Report = (step: string, detail?: string) => void;

const TIMEOUT = () => AbortSignal.timeout(15_000);

/**
 * The partner flow as a partner's own code runs it, through the real partner API and bucket:
 * token, create, PUT both images to their presigned URLs, confirm, poll (honouring Retry-After),
 * details. Nothing here uses the admin API.
 */
export async function runPartnerFlow(input: FlowInput, report: Report): Promise<Details> {
  report('Token', `client credentials of ${input.clientId}`);
  const { access_token: token } = await requestPartnerToken(input);
  const bearer = { authorization: `Bearer ${token}` };

  report('Create submission');
  const createAnswer = await fetch('/v1/submissions', {
    method: 'POST',
    headers: {
      ...bearer,
      'content-type': 'application/json',
      ...(input.scenario ? { prefer: `scenario=${input.scenario}` } : {}),
    },
    body: JSON.stringify({
      ...(input.referenceId ? { referenceId: input.referenceId } : {}),
      selfieContentType: contentTypeOf(input.selfie),
      documentContentType: contentTypeOf(input.document),
    }),
    signal: TIMEOUT(),
  });
  if (createAnswer.status !== 201) throw await problemOf(createAnswer);
  const created = (await createAnswer.json()) as Created;
  const id = created.correlationId;

  for (const upload of created.uploads) {
    const file = upload.imageType === 'SELFIE' ? input.selfie : input.document;
    report(
      `Upload ${upload.imageType.toLowerCase()}`,
      `${file.name}, ${file.size} bytes, to its presigned URL`,
    );
    const put = await fetch(upload.url, {
      method: upload.method,
      headers: upload.headers,
      body: file,
      signal: TIMEOUT(),
    });
    if (!put.ok)
      throw new Error(`The bucket refused the ${upload.imageType} upload: ${put.status} ${await put.text()}`);
  }

  report('Confirm');
  const confirmAnswer = await fetch(`/v1/submissions/${id}/confirm`, {
    method: 'POST',
    headers: { ...bearer, 'idempotency-key': crypto.randomUUID() },
    signal: TIMEOUT(),
  });
  if (confirmAnswer.status !== 202) throw await problemOf(confirmAnswer);

  const deadline = Date.now() + 120_000;
  for (let poll = 1; ; poll++) {
    const statusAnswer = await fetch(`/v1/submissions/${id}/status`, { headers: bearer, signal: TIMEOUT() });
    if (!statusAnswer.ok) throw await problemOf(statusAnswer);
    const status = (await statusAnswer.json()) as Status;
    report(`Poll ${poll}`, status.status);
    if (status.status === 'COMPLETED' || status.status === 'FAILED') break;
    if (Date.now() > deadline)
      throw new Error(`Still ${status.status} after two minutes; see the submission page.`);
    const retryAfter = Number(statusAnswer.headers.get('retry-after') ?? '1');
    await new Promise((resolve) => setTimeout(resolve, Math.min(5, Math.max(0.2, retryAfter)) * 1000));
  }

  const detailsAnswer = await fetch(`/v1/submissions/${id}`, { headers: bearer, signal: TIMEOUT() });
  if (!detailsAnswer.ok) throw await problemOf(detailsAnswer);
  return (await detailsAnswer.json()) as Details;
}

/** The type the URL is signed for; the bucket accepts the bytes whatever they are, as S3 would. */
function contentTypeOf(file: File): Schemas['ImageContentType'] {
  const known = ['image/jpeg', 'image/png', 'image/webp', 'image/jp2'] as const;
  const type = known.find((t) => t === file.type);
  if (type) return type;
  return /\.jp2$|\.j2k$/i.test(file.name) ? 'image/jp2' : 'image/jpeg';
}
