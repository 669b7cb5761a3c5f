import sharp from 'sharp';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureName, readFixture } from '../../fixtures/index.ts';
import { partnerClient } from '../support/partnerClient.ts';
import { startReceiver } from '../support/receiver.ts';
import { DEMO, startTestServer, type TestServer } from '../support/testServer.ts';

let server: TestServer;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  server = await startTestServer();
  receiver = await startReceiver(() => 200);
});
afterAll(async () => {
  await server?.stop();
  await receiver?.close();
});

// A partner's own photo: a valid image the fixture manifest does not know.
const UNDECLARED_SELFIE = 'undeclared-selfie';

function imageFor(name: FixtureName | typeof UNDECLARED_SELFIE): Promise<Buffer> {
  if (name !== UNDECLARED_SELFIE) return readFixture(name);
  return sharp({ create: { width: 120, height: 150, channels: 3, background: '#8899aa' } })
    .png()
    .toBuffer();
}

type Reasons = Array<[code: string, image: string | undefined]>;

const cases: Array<{
  selfie: FixtureName | typeof UNDECLARED_SELFIE;
  document: FixtureName;
  score: number;
  outcome: string;
  status?: 'COMPLETED' | 'FAILED';
  /** Code and image of each reason the partner sees, in order; none by default. */
  reasons?: Reasons;
}> = [
  { selfie: 'success-selfie', document: 'document', score: 92, outcome: 'Success' },
  { selfie: 'review-selfie', document: 'document', score: 74, outcome: 'Review' },
  { selfie: 'fail-selfie', document: 'document', score: 41, outcome: 'Fail' },
  {
    selfie: 'no-face-selfie',
    document: 'document',
    score: 0,
    outcome: 'ERROR',
    reasons: [['NO_FACE_SELFIE', 'SELFIE']],
  },
  {
    selfie: 'multiple-faces-selfie',
    document: 'document',
    score: 0,
    outcome: 'ERROR',
    reasons: [['MULTIPLE_FACES', 'SELFIE']],
  },
  {
    selfie: 'low-quality-selfie',
    document: 'document',
    score: 72,
    outcome: 'Review',
    reasons: [['LOW_QUALITY_SELFIE', 'SELFIE']],
  },
  // The document's declaration applies because the selfie declares nothing.
  {
    selfie: UNDECLARED_SELFIE,
    document: 'low-quality-document',
    score: 73,
    outcome: 'Review',
    reasons: [['LOW_QUALITY_DOCUMENT', 'DOCUMENT']],
  },
  {
    selfie: 'success-selfie',
    document: 'unreadable-document',
    score: 0,
    outcome: 'ERROR',
    reasons: [['UNREADABLE_IMAGE', 'DOCUMENT']],
  },
  {
    selfie: 'engine-error-selfie',
    document: 'document',
    score: 0,
    outcome: 'ERROR',
    status: 'FAILED',
    reasons: [['ENGINE_ERROR', undefined]],
  },
];

describe('the whole partner flow over a real port, with a real callback receiver', () => {
  it.each(cases)('$selfie + $document → $score, $outcome', async ({ selfie, document, ...expected }) => {
    const { score, outcome, status = 'COMPLETED', reasons = [] } = expected;
    const client = partnerClient(server.url, await server.token());
    const referenceId = `ref-${selfie}-${document}`;
    const created = await client.createSubmission({
      referenceId,
      documentType: 'PASSPORT',
      callbackUrl: receiver.url,
      selfieContentType: 'image/png',
    });
    expect(created.response.status).toBe(201);
    expect(created.body.status).toBe('AWAITING_UPLOAD');
    const id = created.body.correlationId;

    for (const [type, name] of [
      ['SELFIE', selfie],
      ['DOCUMENT', document],
    ] as const) {
      const put = await client.upload(client.uploadFor(created.body, type), await imageFor(name));
      expect(put.status).toBe(200);
      expect(put.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    }

    const confirmed = await client.confirm(id);
    expect(confirmed.response.status).toBe(202);
    expect(confirmed.response.headers.get('location')).toBe(`/v1/submissions/${id}/status`);
    expect(confirmed.response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(confirmed.body.status).toBe('PROCESSING');

    const finished = await client.pollUntilFinished(id);
    expect(finished.status).toBe(status);

    // The callback: thin, signed per Standard Webhooks, checked by an independent verifier.
    const before = receiver.requests.length;
    await waitFor(() => receiver.requests.some((r) => r.rawBody.includes(id)));
    const callback = receiver.requests.find((r) => r.rawBody.includes(id));
    expect(before).toBeGreaterThanOrEqual(0);
    const event = new Webhook(DEMO.webhookSecret).verify(
      callback?.rawBody ?? '',
      callback?.headers as Record<string, string>,
    );
    expect(event).toEqual({
      type: 'submission.completed',
      timestamp: expect.any(String),
      data: { correlationId: id, referenceId, status },
    });

    const details = await client.details(id);
    expect(details.response.status).toBe(200);
    expect(details.body).toMatchObject({
      correlationId: id,
      referenceId,
      documentType: 'PASSPORT',
      status,
    });
    expect(details.body.result).toMatchObject({ score, outcome, thresholds: { success: 80, review: 70 } });
    expect(details.body.result?.reasons.map((r) => [r.code, r.image])).toEqual(reasons);
    // A failure the partner asked for says so, and names the upload that asked.
    if (status === 'FAILED')
      expect(details.body.result?.reasons[0]?.message).toContain('engine-error-selfie.png');
  });

  it('reports an upload that is not an image as ERROR / UNREADABLE_IMAGE, and the server carries on', async () => {
    const client = partnerClient(server.url, await server.token());
    const created = await client.createSubmission({ callbackUrl: receiver.url });
    await client.upload(
      client.uploadFor(created.body, 'SELFIE'),
      Buffer.from('%PDF-1.7 definitely not a photo'),
    );
    await client.upload(client.uploadFor(created.body, 'DOCUMENT'), await readFixture('document'));
    await client.confirm(created.body.correlationId);
    await client.pollUntilFinished(created.body.correlationId);
    const { body } = await client.details(created.body.correlationId);
    expect(body.result).toMatchObject({ score: 0, outcome: 'ERROR' });
    expect(body.result?.reasons).toContainEqual(
      expect.objectContaining({ code: 'UNREADABLE_IMAGE', image: 'SELFIE' }),
    );
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

describe('a JPEG 2000 chip portrait as the document (image/jp2)', () => {
  async function flowWithChip(selfie: Buffer, document: Buffer) {
    const client = partnerClient(server.url, await server.token());
    const created = await client.createSubmission({
      documentType: 'PASSPORT',
      selfieContentType: 'image/png',
      documentContentType: 'image/jp2',
    });
    expect(created.response.status).toBe(201);
    const upload = client.uploadFor(created.body, 'DOCUMENT');
    // The presigned PUT is signed for image/jp2, and the bucket's contract takes that body type.
    expect(upload.headers).toEqual({ 'Content-Type': 'image/jp2' });
    expect((await client.upload(client.uploadFor(created.body, 'SELFIE'), selfie)).status).toBe(200);
    expect((await client.upload(upload, document)).status).toBe(200);
    expect((await client.confirm(created.body.correlationId)).response.status).toBe(202);
    await client.pollUntilFinished(created.body.correlationId);
    return (await client.details(created.body.correlationId)).body.result;
  }

  it('is read by the fixture engine: the declared selfie decides, the chip portrait is measured', async () => {
    const chip = await readFixture('chip-portrait');
    const result = await flowWithChip(await readFixture('success-selfie'), chip);
    expect(result).toMatchObject({ score: 92, outcome: 'Success', reasons: [] });
    expect(result?.faces.document).toMatchObject({ width: 240, height: 320 });
  });

  it('a truncated one ends ERROR / UNREADABLE_IMAGE naming the document', async () => {
    const chip = await readFixture('chip-portrait');
    const result = await flowWithChip(await readFixture('success-selfie'), chip.subarray(0, chip.length / 2));
    expect(result).toMatchObject({ score: 0, outcome: 'ERROR' });
    expect(result?.reasons).toEqual([
      expect.objectContaining({
        code: 'UNREADABLE_IMAGE',
        image: 'DOCUMENT',
        message: expect.stringContaining('truncated'),
      }),
    ]);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
