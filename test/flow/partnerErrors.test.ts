import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { readFixture } from '../../fixtures/index.ts';
import { issueAccessToken } from '../../src/auth/issueAccessToken.ts';
import { createSigningKey } from '../../src/auth/SigningKey.ts';
import { createTestApp, type TestApp, testClock } from '../support/testApp.ts';
import { DEMO, DEMO_2 } from '../support/testServer.ts';

let current: TestApp | undefined;
afterEach(async () => {
  await current?.composed.close();
  current = undefined;
});

async function setup(options: Parameters<typeof createTestApp>[0] = {}) {
  current = await createTestApp(options);
  return current;
}

async function tokenFor(app: TestApp['app'], partner: { clientId: string; clientSecret: string } = DEMO) {
  const res = await request(app)
    .post('/v1/oauth/token')
    .auth(partner.clientId, partner.clientSecret)
    .type('form')
    .send({ grant_type: 'client_credentials' });
  expect(res.status).toBe(200);
  return res.body.access_token as string;
}

async function createSubmission(app: TestApp['app'], token: string, body: object = {}) {
  const res = await request(app).post('/v1/submissions').set('Authorization', `Bearer ${token}`).send(body);
  expect(res.status).toBe(201);
  return res.body as {
    correlationId: string;
    uploads: Array<{ imageType: string; url: string; headers: Record<string, string> }>;
  };
}

function pathOf(url: string): string {
  const u = new URL(url);
  return u.pathname + u.search;
}

async function upload(
  app: TestApp['app'],
  created: Awaited<ReturnType<typeof createSubmission>>,
  type: string,
  bytes: Buffer,
) {
  const target = created.uploads.find((u) => u.imageType === type);
  if (!target) throw new Error(`no ${type} upload`);
  return request(app)
    .put(pathOf(target.url))
    .set('Content-Type', target.headers['Content-Type'] as string)
    .send(bytes);
}

function s3Code(xml: string): string | undefined {
  return /<Code>([^<]+)<\/Code>/.exec(xml)?.[1];
}

describe('token gateway', () => {
  it('issues an RS256 at+jwt with no-store, and refuses a wrong secret with invalid_client', async () => {
    const { app } = await setup();
    const ok = await request(app)
      .post('/v1/oauth/token')
      .send({ grant_type: 'client_credentials', client_id: 'demo', client_secret: 'demo-secret' });
    expect(ok.status).toBe(200);
    expect(ok.headers['cache-control']).toBe('no-store');
    const header = JSON.parse(Buffer.from(ok.body.access_token.split('.')[0], 'base64url').toString());
    expect(header).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });

    const bad = await request(app)
      .post('/v1/oauth/token')
      .auth('demo', 'nope')
      .type('form')
      .send({ grant_type: 'client_credentials' });
    expect(bad.status).toBe(401);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(bad.body).toMatchObject({ code: 'invalid-client', error: 'invalid_client' });
  });

  it('refuses an expired token with WWW-Authenticate: Bearer error="invalid_token"', async () => {
    const clock = testClock();
    const { app } = await setup({ now: clock.now });
    const token = await tokenFor(app);
    clock.advance(3600 + 60);
    const res = await request(app).get('/v1/submissions/anything').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer .*error="invalid_token"/);
    expect(res.body.code).toBe('invalid-token');
  });

  it('refuses a token signed by another key', async () => {
    const { app } = await setup();
    const forged = issueAccessToken({
      key: await createSigningKey(),
      partner: { ...DEMO, thresholds: { success: 80, review: 70 }, tokenTtlSeconds: 3600 },
      issuer: 'http://127.0.0.1:8080',
      audience: 'facematch-api',
      now: new Date(),
    });
    const res = await request(app)
      .post('/v1/submissions')
      .set('Authorization', `Bearer ${forged.access_token}`)
      .send({});
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/error="invalid_token"/);
  });

  it('answers a request without a token with a bare Bearer challenge', async () => {
    const { app } = await setup();
    const res = await request(app).post('/v1/submissions').send({});
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm=/);
  });
});

describe('submissions', () => {
  it('hides another partner’s submission behind a 404, exactly like an unknown id', async () => {
    const { app } = await setup();
    const created = await createSubmission(app, await tokenFor(app));
    const other = await tokenFor(app, DEMO_2);
    const foreign = await request(app)
      .get(`/v1/submissions/${created.correlationId}`)
      .set('Authorization', `Bearer ${other}`);
    const unknown = await request(app)
      .get('/v1/submissions/does-not-exist')
      .set('Authorization', `Bearer ${other}`);
    expect(foreign.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(foreign.body.code).toBe(unknown.body.code);
    const confirm = await request(app)
      .post(`/v1/submissions/${created.correlationId}/confirm`)
      .set('Authorization', `Bearer ${other}`);
    expect(confirm.status).toBe(404);
  });

  it('names the offending fields of a body that breaks the contract', async () => {
    const { app } = await setup();
    const token = await tokenFor(app);
    const res = await request(app)
      .post('/v1/submissions')
      .set('Authorization', `Bearer ${token}`)
      .send({ documentType: 'LIBRARY_CARD', referenceId: 42, colour: 'blue' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation-failed');
    const fields = res.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['/documentType', '/referenceId', '/colour']));
  });

  it('refuses a callbackUrl that cannot be called back, naming the field', async () => {
    const { app } = await setup();
    const res = await request(app)
      .post('/v1/submissions')
      .set('Authorization', `Bearer ${await tokenFor(app)}`)
      .send({ callbackUrl: 'ftp://partner.example/hook' });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ location: 'body', field: '/callbackUrl' });
  });

  it('answers malformed JSON, a wrong Content-Type and an oversize body with 4xx problems', async () => {
    const { app } = await setup({ config: { maxJsonBytes: 2048 } });
    const auth = `Bearer ${await tokenFor(app)}`;
    const malformed = await request(app)
      .post('/v1/submissions')
      .set('Authorization', auth)
      .set('Content-Type', 'application/json')
      .send('{"referenceId":');
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('malformed-json');
    const text = await request(app)
      .post('/v1/submissions')
      .set('Authorization', auth)
      .set('Content-Type', 'text/plain')
      .send('hello');
    expect(text.status).toBe(415);
    const huge = await request(app)
      .post('/v1/submissions')
      .set('Authorization', auth)
      .send({ referenceId: 'x'.repeat(5000) });
    expect(huge.status).toBe(413);
    expect(huge.body.code).toBe('payload-too-large');
  });

  it('answers unknown paths with 404 and wrong methods with 405, as problems', async () => {
    const { app } = await setup();
    expect((await request(app).get('/v2/whatever')).body.code).toBe('not-found');
    const wrongMethod = await request(app).delete('/v1/submissions');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.body.code).toBe('method-not-allowed');
  });
});

describe('presigned uploads', () => {
  it('refuses a tampered URL with S3 SignatureDoesNotMatch', async () => {
    const { app } = await setup();
    const created = await createSubmission(app, await tokenFor(app));
    const target = created.uploads[0];
    if (!target) throw new Error('no upload');
    const tampered = pathOf(target.url).replace(/Expires=(\d+)/, (_m, n) => `Expires=${Number(n) + 3600}`);
    const res = await request(app)
      .put(tampered)
      .set('Content-Type', target.headers['Content-Type'] as string)
      .send(Buffer.from('x'));
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/xml/);
    expect(s3Code(res.text)).toBe('SignatureDoesNotMatch');
  });

  it('refuses an expired URL with S3 AccessDenied "Request has expired"', async () => {
    const { app } = await setup({
      config: { bucket: { maxObjectBytes: 1024, uploadUrlTtlSeconds: 1, accessKeyId: 'K' } },
    });
    const created = await createSubmission(app, await tokenFor(app));
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const res = await upload(app, created, 'SELFIE', Buffer.from('x'));
    expect(res.status).toBe(403);
    expect(s3Code(res.text)).toBe('AccessDenied');
    expect(res.text).toContain('Request has expired');
  });

  it('refuses an oversize upload with S3 EntityTooLarge and stores nothing', async () => {
    const { app } = await setup({
      config: { bucket: { maxObjectBytes: 1024, uploadUrlTtlSeconds: 900, accessKeyId: 'K' } },
    });
    const token = await tokenFor(app);
    const created = await createSubmission(app, token);
    const res = await upload(app, created, 'SELFIE', Buffer.alloc(4096, 1));
    expect(res.status).toBe(400);
    expect(s3Code(res.text)).toBe('EntityTooLarge');
    const confirm = await request(app)
      .post(`/v1/submissions/${created.correlationId}/confirm`)
      .set('Authorization', `Bearer ${token}`);
    expect(confirm.body.missingImages).toEqual(['SELFIE', 'DOCUMENT']);
  });
});

describe('confirm', () => {
  it('before the uploads: 409 naming the missing images', async () => {
    const { app } = await setup();
    const token = await tokenFor(app);
    const created = await createSubmission(app, token, { selfieContentType: 'image/png' });
    await upload(app, created, 'SELFIE', await readFixture('success-selfie'));
    const res = await request(app)
      .post(`/v1/submissions/${created.correlationId}/confirm`)
      .set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'uploads-missing', missingImages: ['DOCUMENT'] });
  });

  it('twice: the same answer and a single scoring job; uploads after confirm are refused', async () => {
    const fixture = (await import('../../src/scoring/fixture/createFixtureEngine.ts')).createFixtureEngine();
    let jobs = 0;
    const counting = {
      ...fixture,
      score: (a: Buffer, b: Buffer) => {
        jobs++;
        return fixture.score(a, b);
      },
    };
    const { app, composed } = await setup({ engine: counting });
    const token = await tokenFor(app);
    const created = await createSubmission(app, token, { selfieContentType: 'image/png' });
    // Not a committed fixture, whose declared result would be given without asking the engine.
    await upload(app, created, 'SELFIE', await notAFixture());
    await upload(app, created, 'DOCUMENT', await readFixture('document'));
    const confirm = () =>
      request(app)
        .post(`/v1/submissions/${created.correlationId}/confirm`)
        .set('Authorization', `Bearer ${token}`);
    const [first, second] = await Promise.all([confirm(), confirm()]);
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
    await composed.idle();
    expect((await confirm()).status).toBe(202);
    await composed.idle();
    expect(jobs).toBe(1);
    const late = await upload(app, created, 'SELFIE', await readFixture('fail-selfie'));
    expect(late.status).toBe(403);
  });

  it('with an Idempotency-Key: replays the stored answer, and refuses the key on another submission (422)', async () => {
    const { app } = await setup();
    const token = await tokenFor(app);
    const created = await createSubmission(app, token, { selfieContentType: 'image/png' });
    await upload(app, created, 'SELFIE', await readFixture('success-selfie'));
    await upload(app, created, 'DOCUMENT', await readFixture('document'));
    const first = await request(app)
      .post(`/v1/submissions/${created.correlationId}/confirm`)
      .set('Authorization', `Bearer ${token}`)
      .set('Idempotency-Key', '"key-1"');
    const replay = await request(app)
      .post(`/v1/submissions/${created.correlationId}/confirm`)
      .set('Authorization', `Bearer ${token}`)
      .set('Idempotency-Key', '"key-1"');
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual(first.body);
    const other = await createSubmission(app, token);
    const reused = await request(app)
      .post(`/v1/submissions/${other.correlationId}/confirm`)
      .set('Authorization', `Bearer ${token}`)
      .set('Idempotency-Key', '"key-1"');
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('idempotency-key-reused');
  });
});

describe('the contract guards our own responses', () => {
  it('turns a response that breaks the OpenAPI document into a 500 the test sees', async () => {
    const fixture = (await import('../../src/scoring/fixture/createFixtureEngine.ts')).createFixtureEngine();
    const broken = {
      ...fixture,
      score: async (a: Buffer, b: Buffer) => ({ ...(await fixture.score(a, b)), score: 150 }),
    };
    const { app, composed } = await setup({ engine: broken });
    const token = await tokenFor(app);
    const created = await createSubmission(app, token, { selfieContentType: 'image/png' });
    await upload(app, created, 'SELFIE', await notAFixture());
    await upload(app, created, 'DOCUMENT', await readFixture('document'));
    await request(app)
      .post(`/v1/submissions/${created.correlationId}/confirm`)
      .set('Authorization', `Bearer ${token}`);
    await composed.idle();
    const res = await request(app)
      .get(`/v1/submissions/${created.correlationId}`)
      .set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(500);
    expect(res.body.code).toBe('response-contract-violation');
    expect(res.body.detail).toMatch(/score/);
  });
});

describe('the bucket answers for itself', () => {
  it('in S3 XML, also for methods and paths the API contract does not list', async () => {
    const { app } = await setup();
    const del = await request(app).delete('/bucket/uploads/x/SELFIE');
    expect(del.status).toBe(405);
    expect(s3Code(del.text)).toBe('MethodNotAllowed');
    const unsigned = await request(app)
      .put('/bucket/elsewhere')
      .set('Content-Type', 'image/png')
      .send(Buffer.from('x'));
    expect(unsigned.headers['content-type']).toMatch(/xml/);
    expect(unsigned.status).toBeGreaterThanOrEqual(400);
  });
});

describe('hostile input', () => {
  it('gets 4xx problems, never a 500', async () => {
    const { app } = await setup();
    const auth = `Bearer ${await tokenFor(app)}`;
    const badPath = await request(app).get('/v1/submissions/%E0%A4%A').set('Authorization', auth);
    expect(badPath.status).toBe(400);
    const badGzip = await request(app)
      .post('/v1/submissions')
      .set('Authorization', auth)
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      .send('not gzip at all');
    expect(badGzip.status).toBe(400);
    expect(badGzip.body.code).toBe('validation-failed');
    const oauth = await request(app)
      .post('/v1/oauth/token')
      .send({ grant_type: ['client_credentials'] });
    expect(oauth.status).toBe(400);
    expect(oauth.body).toMatchObject({
      error: 'invalid_request',
      errors: [expect.objectContaining({ field: '/grant_type' })],
    });
  });
});

/** A real PNG that is not a committed fixture: the engine, not a declaration, scores it. */
async function notAFixture(): Promise<Buffer> {
  const sharp = (await import('sharp')).default;
  return sharp(await readFixture('success-selfie'))
    .png({ compressionLevel: 1 })
    .toBuffer();
}
