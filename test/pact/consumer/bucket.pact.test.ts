import { MatchersV3, PactV4, XmlBuilder } from '@pact-foundation/pact';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixtureFile, readFixture } from '../../../fixtures/index.ts';
import { createFaceMatchClient, FaceMatchApiError, type PresignedUpload } from '../../../src/client/index.ts';
import { CONSUMER, PACT_MOCK_RETRIES, PROVIDERS, pactOutput } from './pactFiles.ts';

const { regex, fromProviderState } = MatchersV3;

type RequestBuilder = Parameters<
  NonNullable<Parameters<ReturnType<PactV4['addInteraction']>['withRequest']>[2]>
>[0];

const ID = '0f5c2a8e-3b1d-4c6e-9a7f-2d4b6c8e0a1b';
const EXAMPLE = {
  accessKeyId: 'facematch-mock',
  expires: '1767261600',
  signature: 'c2lnbmF0dXJlLWV4YW1wbGU=',
};

let output: Awaited<ReturnType<typeof pactOutput>>;
let pact: PactV4;
beforeAll(async () => {
  output = await pactOutput(PROVIDERS.bucket);
  pact = new PactV4({ consumer: CONSUMER, provider: PROVIDERS.bucket, dir: output.dir, logLevel: 'warn' });
});

/**
 * The presigned URL comes from the provider state at verification time (`fromProviderState`), so the
 * upload lands on a real submission's key with a real signature; here it points at Pact's mock.
 */
function selfieUpload(signature?: string) {
  return (b: RequestBuilder) =>
    b
      .query({
        OSSAccessKeyId: fromProviderState('${accessKeyId}', EXAMPLE.accessKeyId),
        Expires: fromProviderState('${selfieExpires}', EXAMPLE.expires),
        Signature: signature ?? fromProviderState('${selfieSignature}', EXAMPLE.signature),
      })
      .headers({ 'Content-Type': 'image/png' })
      .binaryFile('image/png', fixtureFile('success-selfie'));
}
const path = fromProviderState('${selfieUploadPath}', `/bucket/uploads/${ID}/SELFIE`);
const XML = { 'Content-Type': regex('^application/xml(;.*)?$', 'application/xml') };

/** An S3-style error document: the Code and Message partners branch on; other elements may follow. */
function s3Error(code: string, message: string | ReturnType<typeof regex>) {
  return new XmlBuilder('1.0', 'UTF-8', 'Error').build((error) => {
    error.appendElement('Code', new Map(), code);
    error.appendElement('Message', new Map(), message);
  });
}

function presigned(base: string, signature = EXAMPLE.signature): PresignedUpload {
  const query = new URLSearchParams({
    OSSAccessKeyId: EXAMPLE.accessKeyId,
    Expires: EXAMPLE.expires,
    Signature: signature,
  });
  return {
    imageType: 'SELFIE',
    url: `${base}/bucket/uploads/${ID}/SELFIE?${query}`,
    method: 'PUT',
    headers: { 'Content-Type': 'image/png' },
    expiresAt: '2026-01-01T10:00:00.000Z',
  };
}

const client = (baseUrl: string) =>
  createFaceMatchClient({ baseUrl, accessToken: async () => 'unused', timeoutMs: 5000, maxRetryWaitMs: 0 });

it('uploads the selfie to its presigned URL', { retry: PACT_MOCK_RETRIES }, async () => {
  await pact
    .addInteraction()
    .given('a submission awaiting upload')
    .uponReceiving('an upload of the selfie to its presigned URL')
    .withRequest('PUT', path, selfieUpload())
    .willRespondWith(200, (b) =>
      b.headers({ ETag: regex('^"[0-9a-f]{32}"$', '"0123456789abcdef0123456789abcdef"') }),
    )
    .executeTest(async (mock) => {
      await client(mock.url).uploadImage(presigned(mock.url), await readFixture('success-selfie'));
    });
});

it('403 "Request has expired" for an expired URL', { retry: PACT_MOCK_RETRIES }, async () => {
  await pact
    .addInteraction()
    .given('a submission awaiting upload', { scenario: 'upload-url-expired' })
    .uponReceiving('an upload to an expired presigned URL')
    .withRequest('PUT', path, selfieUpload())
    .willRespondWith(403, (b) => b.headers(XML).xmlBody(s3Error('AccessDenied', 'Request has expired')))
    .executeTest(async (mock) => {
      const error = await client(mock.url)
        .uploadImage(presigned(mock.url), await readFixture('success-selfie'))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FaceMatchApiError);
      // What makes the client re-issue the URL rather than give up.
      expect((error as FaceMatchApiError).s3).toEqual({
        code: 'AccessDenied',
        message: 'Request has expired',
      });
    });
});

it('403 for a tampered URL', { retry: PACT_MOCK_RETRIES }, async () => {
  await pact
    .addInteraction()
    .given('a submission awaiting upload')
    .uponReceiving('an upload to a presigned URL whose signature was changed')
    .withRequest('PUT', path, selfieUpload('dGFtcGVyZWQtc2lnbmF0dXJl'))
    .willRespondWith(403, (b) =>
      b
        .headers(XML)
        .xmlBody(
          s3Error('SignatureDoesNotMatch', regex('.+', 'The request signature we calculated does not match')),
        ),
    )
    .executeTest(async (mock) => {
      const error = await client(mock.url)
        .uploadImage(presigned(mock.url, 'dGFtcGVyZWQtc2lnbmF0dXJl'), await readFixture('success-selfie'))
        .catch((e: unknown) => e);
      expect((error as FaceMatchApiError).s3?.code).toBe('SignatureDoesNotMatch');
    });
});

afterAll(async () => {
  const { written, committed, file } = await output.settle();
  expect(written, `pacts/${file} differs from what the consumer tests write; run \`npm run pacts\``).toEqual(
    committed,
  );
});
