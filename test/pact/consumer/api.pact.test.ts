import { MatchersV3, PactV4 } from '@pact-foundation/pact';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaceMatchClient, FaceMatchApiError } from '../../../src/client/index.ts';
import { CONSUMER, PACT_MOCK_RETRIES, PROVIDERS, pactOutput } from './pactFiles.ts';

const { like, integer, regex, eachLike, fromProviderState } = MatchersV3;

// Example values only: matchers say what shape the provider must answer, never one run's values.
const ID = '0f5c2a8e-3b1d-4c6e-9a7f-2d4b6c8e0a1b';
const ISO = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$';
const at = () => regex(ISO, '2026-01-01T10:00:00.000Z');
const BEARER = regex('^Bearer [A-Za-z0-9._~+/-]+=*$', 'Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln');
const idPath = (suffix = '') =>
  fromProviderState(`/v1/submissions/\${correlationId}${suffix}`, `/v1/submissions/${ID}${suffix}`);
const problem = (code: string, status: number) => ({
  type: like(`/problems/${code}`),
  title: like('what went wrong'),
  status,
  code,
});
const PROBLEM_JSON = {
  'Content-Type': regex('^application/problem\\+json(;.*)?$', 'application/problem+json'),
};

let output: Awaited<ReturnType<typeof pactOutput>>;
let pact: PactV4;
beforeAll(async () => {
  output = await pactOutput(PROVIDERS.api);
  pact = new PactV4({ consumer: CONSUMER, provider: PROVIDERS.api, dir: output.dir, logLevel: 'warn' });
});

/** Our client against Pact's mock server; the token comes from outside, as the token interaction is its own. */
function client(baseUrl: string) {
  return createFaceMatchClient({
    baseUrl,
    accessToken: async () => 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln',
    timeoutMs: 5000,
    maxRetryWaitMs: 0,
  });
}

describe('the flow, step by step', { retry: PACT_MOCK_RETRIES }, () => {
  it('gets a token with client credentials (HTTP Basic, form body)', async () => {
    await pact
      .addInteraction()
      .given('a partner with valid credentials')
      .uponReceiving('a token request with client credentials')
      .withRequest('POST', '/v1/oauth/token', (b) =>
        formBody(
          b.headers({
            Authorization: 'Basic ZGVtbzpkZW1vLXNlY3JldA==',
            'Content-Type': 'application/x-www-form-urlencoded',
          }),
          'grant_type=client_credentials',
        ),
      )
      .willRespondWith(200, (b) =>
        b.headers({ 'Cache-Control': 'no-store' }).jsonBody({
          access_token: like('eyJhbGciOiJSUzI1NiJ9.e30.c2ln'),
          token_type: 'Bearer',
          expires_in: integer(3600),
        }),
      )
      .executeTest(async (mock) => {
        const real = createFaceMatchClient({
          baseUrl: mock.url,
          clientId: 'demo',
          clientSecret: 'demo-secret',
        });
        expect(await real.token()).toBe('eyJhbGciOiJSUzI1NiJ9.e30.c2ln');
      });
  });

  it('creates a submission and gets two presigned uploads', async () => {
    await pact
      .addInteraction()
      .given('a partner with valid credentials')
      .uponReceiving('a request to create a submission')
      .withRequest('POST', '/v1/submissions', (b) =>
        b.headers({ Authorization: BEARER, 'Content-Type': 'application/json' }).jsonBody({
          referenceId: like('loan-42'),
          documentType: 'KTP',
          selfieContentType: 'image/png',
          documentContentType: 'image/jpeg',
        }),
      )
      .willRespondWith(201, (b) =>
        b
          .headers({ Location: regex('^.*/v1/submissions/[A-Za-z0-9_-]+$', `/v1/submissions/${ID}`) })
          .jsonBody({
            correlationId: like(ID),
            status: 'AWAITING_UPLOAD',
            referenceId: like('loan-42'),
            documentType: 'KTP',
            uploads: [upload('SELFIE', 'image/png'), upload('DOCUMENT', 'image/jpeg')],
            createdAt: at(),
          }),
      )
      .executeTest(async (mock) => {
        const created = await client(mock.url).createSubmission({
          referenceId: 'loan-42',
          documentType: 'KTP',
          selfieContentType: 'image/png',
          documentContentType: 'image/jpeg',
        });
        expect(created.uploads.map((u) => u.imageType)).toEqual(['SELFIE', 'DOCUMENT']);
      });
  });

  it('creates a submission with a forced scenario (Prefer)', async () => {
    await pact
      .addInteraction()
      .given('a partner with valid credentials')
      .uponReceiving('a request to create a submission with Prefer: scenario=review')
      .withRequest('POST', '/v1/submissions', (b) =>
        b
          .headers({ Authorization: BEARER, 'Content-Type': 'application/json', Prefer: 'scenario=review' })
          .jsonBody({}),
      )
      .willRespondWith(201, (b) =>
        b.headers({ 'Preference-Applied': 'scenario=review' }).jsonBody({
          correlationId: like(ID),
          status: 'AWAITING_UPLOAD',
          uploads: [upload('SELFIE', 'image/jpeg'), upload('DOCUMENT', 'image/jpeg')],
        }),
      )
      .executeTest(async (mock) => {
        const created = await client(mock.url).createSubmission({}, { scenario: 'review' });
        expect(created.status).toBe('AWAITING_UPLOAD');
      });
  });

  it('re-issues an upload URL', async () => {
    await pact
      .addInteraction()
      .given('a submission awaiting upload')
      .uponReceiving('a request to re-issue the selfie upload URL')
      .withRequest('POST', idPath('/uploads'), (b) =>
        b
          .headers({ Authorization: BEARER, 'Content-Type': 'application/json' })
          .jsonBody({ imageTypes: ['SELFIE'] }),
      )
      .willRespondWith(200, (b) =>
        b.jsonBody({
          correlationId: fromProviderState('${correlationId}', ID),
          uploads: [upload('SELFIE', 'image/png')],
        }),
      )
      .executeTest(async (mock) => {
        const reissued = await client(mock.url).reissueUploads(ID, ['SELFIE']);
        expect(reissued.uploads[0]?.imageType).toBe('SELFIE');
      });
  });

  it('confirms the upload with an Idempotency-Key', async () => {
    await pact
      .addInteraction()
      .given('a submission awaiting upload', { uploaded: true })
      .uponReceiving('a confirmation after both images are uploaded')
      .withRequest('POST', idPath('/confirm'), (b) =>
        b.headers({
          Authorization: BEARER,
          'Idempotency-Key': regex('^[A-Za-z0-9-]{1,255}$', '3f9d2c1a-7b5e-4d8f-a6c3-1e2b4d6f8a0c'),
        }),
      )
      .willRespondWith(202, (b) =>
        b
          .headers({
            Location: regex('^.*/v1/submissions/[A-Za-z0-9_-]+/status$', `/v1/submissions/${ID}/status`),
            'Retry-After': regex('^[0-9]+$', '1'),
          })
          .jsonBody({
            correlationId: fromProviderState('${correlationId}', ID),
            status: 'PROCESSING',
            updatedAt: at(),
          }),
      )
      .executeTest(async (mock) => {
        const status = await client(mock.url).confirm(ID, '3f9d2c1a-7b5e-4d8f-a6c3-1e2b4d6f8a0c');
        expect(status.status).toBe('PROCESSING');
      });
  });

  it('polls the status of a finished submission', async () => {
    await pact
      .addInteraction()
      .given('a completed submission', { outcome: 'Success' })
      .uponReceiving('a status poll of a completed submission')
      .withRequest('GET', idPath('/status'), (b) => b.headers({ Authorization: BEARER }))
      .willRespondWith(200, (b) =>
        b.jsonBody({
          correlationId: fromProviderState('${correlationId}', ID),
          status: 'COMPLETED',
          updatedAt: at(),
        }),
      )
      .executeTest(async (mock) => {
        expect(await client(mock.url).waitForCompletion(ID, { timeoutMs: 5000 })).toMatchObject({
          status: 'COMPLETED',
        });
      });
  });
});

describe('details for each outcome', { retry: PACT_MOCK_RETRIES }, () => {
  const outcomes = [
    { outcome: 'Success', score: integer(92) },
    { outcome: 'Review', score: integer(74) },
    { outcome: 'Fail', score: integer(41) },
    { outcome: 'ERROR', score: 0 },
  ] as const;
  it.each(outcomes)('$outcome', async ({ outcome, score }) => {
    await pact
      .addInteraction()
      .given('a completed submission', { outcome })
      .uponReceiving(`the details of a submission completed with outcome ${outcome}`)
      .withRequest('GET', idPath(), (b) => b.headers({ Authorization: BEARER }))
      .willRespondWith(200, (b) =>
        b.jsonBody({
          correlationId: fromProviderState('${correlationId}', ID),
          status: 'COMPLETED',
          documentType: like('OTHER'),
          createdAt: at(),
          confirmedAt: at(),
          completedAt: at(),
          result: {
            score,
            outcome,
            thresholds: { success: integer(80), review: integer(70) },
            engine: like('fixture'),
          },
        }),
      )
      .executeTest(async (mock) => {
        const details = await client(mock.url).details(ID);
        expect(details.result?.outcome).toBe(outcome);
      });
  });

  it('FAILED', async () => {
    await pact
      .addInteraction()
      .given('a failed submission')
      .uponReceiving('the details of a failed submission')
      .withRequest('GET', idPath(), (b) => b.headers({ Authorization: BEARER }))
      .willRespondWith(200, (b) =>
        b.jsonBody({
          correlationId: fromProviderState('${correlationId}', ID),
          status: 'FAILED',
          completedAt: at(),
          result: {
            score: 0,
            outcome: 'ERROR',
            reasons: eachLike({
              code: 'ENGINE_ERROR',
              message: like('The engine could not score the pair.'),
            }),
          },
        }),
      )
      .executeTest(async (mock) => {
        const details = await client(mock.url).details(ID);
        expect(details.status).toBe('FAILED');
      });
  });
});

describe('the errors a partner must handle', { retry: PACT_MOCK_RETRIES }, () => {
  async function refusal(promise: Promise<unknown>): Promise<FaceMatchApiError> {
    const error = await promise.catch((e: unknown) => e);
    if (!(error instanceof FaceMatchApiError)) throw new Error(`expected a FaceMatchApiError, got ${error}`);
    return error;
  }

  it('401 invalid_token (the token expired mid-flow)', async () => {
    await pact
      .addInteraction()
      .given('a submission awaiting upload', { scenario: 'token-expired' })
      .uponReceiving('a status poll with an expired token')
      .withRequest('GET', idPath('/status'), (b) => b.headers({ Authorization: BEARER }))
      .willRespondWith(401, (b) =>
        b
          .headers({
            ...PROBLEM_JSON,
            'WWW-Authenticate': regex('^Bearer .*error="invalid_token".*$', 'Bearer error="invalid_token"'),
          })
          .jsonBody(problem('invalid-token', 401)),
      )
      .executeTest(async (mock) => {
        const error = await refusal(client(mock.url).status(ID));
        expect(error.problem?.code).toBe('invalid-token');
      });
  });

  it('404 for a submission that does not exist', async () => {
    await pact
      .addInteraction()
      .given('a partner with valid credentials')
      .uponReceiving('the details of an unknown submission')
      .withRequest('GET', `/v1/submissions/${ID}`, (b) => b.headers({ Authorization: BEARER }))
      .willRespondWith(404, (b) => b.headers(PROBLEM_JSON).jsonBody(problem('submission-not-found', 404)))
      .executeTest(async (mock) => {
        expect((await refusal(client(mock.url).details(ID))).problem?.code).toBe('submission-not-found');
      });
  });

  it('409 when confirming before both images are uploaded', async () => {
    await pact
      .addInteraction()
      .given('a submission awaiting upload')
      .uponReceiving('a confirmation before the images are uploaded')
      .withRequest('POST', idPath('/confirm'), (b) =>
        b.headers({ Authorization: BEARER, 'Idempotency-Key': regex('^[A-Za-z0-9-]{1,255}$', 'key-409') }),
      )
      .willRespondWith(409, (b) =>
        b
          .headers(PROBLEM_JSON)
          .jsonBody({ ...problem('uploads-missing', 409), missingImages: ['SELFIE', 'DOCUMENT'] }),
      )
      .executeTest(async (mock) => {
        const error = await refusal(client(mock.url).confirm(ID, 'key-409'));
        expect(error.problem?.missingImages).toEqual(['SELFIE', 'DOCUMENT']);
      });
  });

  it('429 with Retry-After', async () => {
    await pact
      .addInteraction()
      .given('a submission awaiting upload', { uploaded: true, scenario: 'confirm-429' })
      .uponReceiving('a confirmation while rate limited')
      .withRequest('POST', idPath('/confirm'), (b) =>
        b.headers({ Authorization: BEARER, 'Idempotency-Key': regex('^[A-Za-z0-9-]{1,255}$', 'key-429') }),
      )
      .willRespondWith(429, (b) =>
        b
          .headers({ ...PROBLEM_JSON, 'Retry-After': regex('^[0-9]+$', '2') })
          .jsonBody(problem('rate-limited', 429)),
      )
      .executeTest(async (mock) => {
        // maxRetryWaitMs 0: this client hands the 429 back instead of waiting it out.
        expect((await refusal(client(mock.url).confirm(ID, 'key-429'))).status).toBe(429);
      });
  });
});

afterAll(async () => {
  const { written, committed, file } = await output.settle();
  expect(written, `pacts/${file} differs from what the consumer tests write; run \`npm run pacts\``).toEqual(
    committed,
  );
});

/**
 * A form body that Pact's core matches as a form: pact-js 16's builder only offers `body()`, which
 * stores bytes with a content-type sniffing rule (form bodies sniff as text/plain), so the
 * builder's interaction handle is given the text directly, as pact-core's own API takes it.
 */
function formBody(builder: unknown, text: string): void {
  const { interaction } = builder as {
    interaction: { withRequestBody(body: string, contentType: string): void };
  };
  interaction.withRequestBody(text, 'application/x-www-form-urlencoded');
}

function upload(imageType: 'SELFIE' | 'DOCUMENT', contentType: string) {
  return {
    imageType,
    url: regex(
      `^https?://[^/]+/bucket/uploads/[A-Za-z0-9_-]+/${imageType}\\?OSSAccessKeyId=[^&]+&Expires=[0-9]+&Signature=[^&]+$`,
      `http://127.0.0.1:8080/bucket/uploads/${ID}/${imageType}?OSSAccessKeyId=facematch-mock&Expires=1767261600&Signature=c2lnbmF0dXJl`,
    ),
    method: 'PUT',
    headers: { 'Content-Type': contentType },
    expiresAt: at(),
  };
}
