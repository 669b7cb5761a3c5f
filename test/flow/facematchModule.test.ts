import sharp from 'sharp';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureName, readFixture } from '../../fixtures/index.ts';
import { createFixtureEngine } from '../../src/scoring/fixture/createFixtureEngine.ts';
import type { ScoringEngine } from '../../src/scoring/ScoringEngine.ts';
import { createTestApp } from '../support/testApp.ts';
import { DEMO, startTestServer, type TestServer, testConfig } from '../support/testServer.ts';

const PATH = '/v1/modules/facematch';

/** The seed's sample payload, with the images in base64. */
function payload(items: Array<Record<string, unknown>>, resourceId = 'res-0001') {
  return { resourceId, context: { subject: { biometrics: items } } };
}

async function item(selfie: FixtureName | Buffer, anchor: FixtureName | Buffer = 'document') {
  const base64 = async (image: FixtureName | Buffer) =>
    (Buffer.isBuffer(image) ? image : await readFixture(image)).toString('base64');
  return { face1Image: await base64(selfie), face2Image: await base64(anchor) };
}

async function post(
  server: TestServer,
  body: unknown,
  options: { token?: string | null; contentType?: string; prefer?: string } = {},
) {
  const token = options.token === undefined ? await server.token() : options.token;
  const response = await fetch(`${server.url}${PATH}`, {
    method: 'POST',
    headers: {
      'content-type': options.contentType ?? 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(options.prefer ? { prefer: options.prefer } : {}),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  return { response, status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** The field pointers a 400/413 problem names. */
function fields(body: { errors?: Array<{ field: string }> }) {
  return (body.errors ?? []).map((e) => e.field);
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

describe('POST /v1/modules/facematch, the seed sample payload', () => {
  it('answers each fixture selfie against the document with exactly the seed response shape', async () => {
    for (const [selfie, score, outcome] of [
      ['success-selfie', 92, 'Success'],
      ['review-selfie', 74, 'Review'],
      ['fail-selfie', 41, 'Fail'],
      ['no-face-selfie', 0, 'ERROR'],
    ] as const) {
      const answer = await post(server, payload([await item(selfie)]));
      expect(answer.status).toBe(200);
      expect(answer.response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(answer.body).toEqual({ response: { advice: { score }, outcome } });
    }
  });

  it('takes images behind a data:image/…;base64, prefix', async () => {
    const { face1Image, face2Image } = await item('success-selfie');
    const answer = await post(
      server,
      payload([
        {
          face1Image: `data:image/png;base64,${face1Image}`,
          face2Image: `data:image/jpeg;base64,${face2Image}`,
        },
      ]),
    );
    expect(answer.body).toEqual({ response: { advice: { score: 92 }, outcome: 'Success' } });
  });

  it('answers an anchor that is not an image, or has no face, with 200, score 0 and ERROR, and logs why', async () => {
    const corrupt = await post(
      server,
      payload([await item('success-selfie', Buffer.from('%PDF-1.7 not a picture'))]),
    );
    expect(corrupt.status).toBe(200);
    expect(corrupt.body).toEqual({ response: { advice: { score: 0 }, outcome: 'ERROR' } });
    expect(server.log.join('')).toMatch(
      /resourceId res-0001, item 0: score 0 \(UNREADABLE_IMAGE: The document image/,
    );
    const truncated = (await readFixture('document')).subarray(0, 2000);
    expect((await post(server, payload([await item('success-selfie', truncated)]))).body).toEqual({
      response: { advice: { score: 0 }, outcome: 'ERROR' },
    });
    // An unknown selfie, so the fixture engine goes by the anchor's declared result (NO_FACE_DOCUMENT).
    const noFaceAnchor = await post(server, payload([await item('document', 'no-face-document')]));
    expect(noFaceAnchor.body).toEqual({ response: { advice: { score: 0 }, outcome: 'ERROR' } });
  });

  it('compares every item: the lowest conclusive score decides, inconclusive items do not', async () => {
    const mixed = await post(server, payload([await item('success-selfie'), await item('fail-selfie')]));
    expect(mixed.body).toEqual({ response: { advice: { score: 41 }, outcome: 'Fail' } });
    const withNoFace = await post(
      server,
      payload([await item('no-face-selfie'), await item('review-selfie')]),
    );
    expect(withNoFace.body).toEqual({ response: { advice: { score: 74 }, outcome: 'Review' } });
  });
});

describe('POST /v1/modules/facematch with scenarios', () => {
  it('Prefer: scenario=<name> forces the result, over the fixture image, and says so in headers only', async () => {
    for (const [scenario, outcome] of [
      ['review', 'Review'],
      ['fail', 'Fail'],
      ['no-face-selfie', 'ERROR'],
      ['failed', 'ERROR'],
    ] as const) {
      const answer = await post(server, payload([await item('success-selfie')]), {
        prefer: `scenario=${scenario}`,
      });
      expect(answer.status).toBe(200);
      expect(answer.body.response.outcome).toBe(outcome);
      if (outcome === 'ERROR') expect(answer.body.response.advice.score).toBe(0);
      expect(answer.response.headers.get('preference-applied')).toBe(`scenario=${scenario}`);
      expect(answer.response.headers.get('facematch-mock-scenario')).toBe(scenario);
      expect(Object.keys(answer.body)).toEqual(['response']);
    }
  });

  it('an unknown scenario is a 400 naming the Prefer header and listing the known names', async () => {
    const answer = await post(server, payload([await item('success-selfie')]), { prefer: 'scenario=sucess' });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('unknown-scenario');
    expect(fields(answer.body)).toEqual(['Prefer']);
    expect(answer.body.knownScenarios).toContain('success');
  });
});

describe('POST /v1/modules/facematch with partner thresholds', () => {
  it("applies the calling partner's thresholds: 92 is Review when Success needs 95", async () => {
    const base = testConfig();
    const strict = await startTestServer({
      partners: base.partners.map((p) =>
        p.clientId === DEMO.clientId ? { ...p, thresholds: { success: 95, review: 90 } } : p,
      ),
    });
    try {
      const { face1Image, face2Image } = await item('success-selfie');
      const demo = await post(strict, payload([{ face1Image, face2Image }]));
      expect(demo.body).toEqual({ response: { advice: { score: 92 }, outcome: 'Review' } });
      const other = await post(strict, payload([{ face1Image, face2Image }]), {
        token: await strict.token({ clientId: 'demo-2', clientSecret: 'demo-2-secret' }),
      });
      expect(other.body).toEqual({ response: { advice: { score: 92 }, outcome: 'Success' } });
    } finally {
      await strict.stop();
    }
  });
});

describe('POST /v1/modules/facematch refuses bad input with a problem naming the field', () => {
  it('a missing field, an empty or oversized list, wrong types and unknown properties (400)', async () => {
    const good = await item('success-selfie');
    const cases: Array<[unknown, string]> = [
      [payload([{ face1Image: good.face1Image }]), '/context/subject/biometrics/0/face2Image'],
      [payload([good, { face2Image: good.face2Image }]), '/context/subject/biometrics/1/face1Image'],
      [payload([]), '/context/subject/biometrics'],
      [payload(Array.from({ length: 11 }, () => good)), '/context/subject/biometrics'],
      [payload([{ ...good, face1Image: 42 }]), '/context/subject/biometrics/0/face1Image'],
      [{ resourceId: 'r', context: { subject: { biometrics: good } } }, '/context/subject/biometrics'],
      [{ resourceId: 'r', context: { subject: {} } }, '/context/subject/biometrics'],
      [{ resourceId: 'r', context: {} }, '/context/subject'],
      [{ resourceId: 'r' }, '/context'],
      [{ context: { subject: { biometrics: [good] } } }, '/resourceId'],
      [{ ...payload([good]), resourceId: '' }, '/resourceId'],
      [payload([{ ...good, face3Image: good.face1Image }]), '/context/subject/biometrics/0/face3Image'],
    ];
    for (const [body, field] of cases) {
      const answer = await post(server, body);
      expect(answer.status, field).toBe(400);
      expect(answer.response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(answer.body.code).toBe('validation-failed');
      expect(fields(answer.body), JSON.stringify(answer.body)).toContain(field);
    }
  });

  it('images that are not strict base64: each field named, with how to fix it (400)', async () => {
    const good = await item('success-selfie');
    const wrapped = good.face2Image.replace(/(.{76})/g, '$1\n');
    const cases: Array<[{ face1Image: string; face2Image: string }, string, RegExp]> = [
      [{ ...good, face2Image: wrapped }, 'face2Image', /anchor image has whitespace or a line break.*-w0/],
      [{ ...good, face1Image: '' }, 'face1Image', /selfie is empty/],
      [{ ...good, face1Image: 'data:image/png;base64,' }, 'face1Image', /selfie is empty/],
      [{ ...good, face1Image: good.face1Image.replace(/=+$/, '') }, 'face1Image', /multiple of 4/],
      [
        { ...good, face2Image: Buffer.from(await readFixture('document')).toString('base64url') },
        'face2Image',
        /base64url/,
      ],
      [
        { ...good, face1Image: `data:text/plain;base64,${good.face1Image}` },
        'face1Image',
        /data:image\/<type>/,
      ],
    ];
    expect(good.face1Image).toMatch(/=$/);
    for (const [pair, field, message] of cases) {
      const answer = await post(server, payload([await item('success-selfie'), pair]));
      expect(answer.status, field).toBe(400);
      expect(answer.body.code).toBe('validation-failed');
      expect(answer.body.errors).toEqual([
        {
          location: 'body',
          field: `/context/subject/biometrics/1/${field}`,
          message: expect.stringMatching(message),
        },
      ]);
    }
    const both = await post(server, payload([{ face1Image: 'a b', face2Image: 'AB-_' }]));
    expect(fields(both.body)).toEqual([
      '/context/subject/biometrics/0/face1Image',
      '/context/subject/biometrics/0/face2Image',
    ]);
  });

  it('no body, malformed JSON, and another content type', async () => {
    const token = await server.token();
    const empty = await fetch(`${server.url}${PATH}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(10_000),
    });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { code: string }).code).toBe('validation-failed');
    const malformed = await post(server, '{"resourceId":', { token });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('malformed-json');
    const form = await post(server, 'resourceId=x', {
      token,
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(415);
    expect(form.body.code).toBe('unsupported-media-type');
  });

  it('without a valid bearer token: 401 with a challenge, as /v1/submissions', async () => {
    const body = payload([await item('success-selfie')]);
    const missing = await post(server, body, { token: null });
    expect(missing.status).toBe(401);
    expect(missing.body.code).toBe('invalid-token');
    expect(missing.response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const forged = await post(server, body, { token: 'not-a-token' });
    expect(forged.status).toBe(401);
    expect(forged.response.headers.get('www-authenticate')).toMatch(/invalid_token/);
  });
});

describe('POST /v1/modules/facematch body and image limits', () => {
  it('by default takes two images at the bucket limit, far above the other routes’ JSON limit', async () => {
    const config = testConfig();
    const image = Buffer.alloc(config.bucket.maxObjectBytes, 0x5a).toString('base64');
    const answer = await post(server, payload([{ face1Image: image, face2Image: image }]));
    // Accepted and compared; bytes that are not an image are the engine's ERROR, not a refusal.
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ response: { advice: { score: 0 }, outcome: 'ERROR' } });

    const over = Buffer.alloc(config.bucket.maxObjectBytes + 1, 0x5a).toString('base64');
    const tooLarge = await post(
      server,
      payload([{ face1Image: (await item('success-selfie')).face1Image, face2Image: over }]),
    );
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({ code: 'payload-too-large', detail: /bucket\.maxObjectBytes/ });
    expect(fields(tooLarge.body)).toEqual(['/context/subject/biometrics/0/face2Image']);
  });

  it('refuses a body over modules.maxBodyBytes with 413, while other routes keep maxJsonBytes', async () => {
    const small = await startTestServer({ modules: { maxBodyBytes: 40_000 }, maxJsonBytes: 2048 });
    try {
      const token = await small.token();
      // About 19 kB: over maxJsonBytes, within the module's own limit.
      const fits = await post(small, payload([await item('success-selfie')], 'r'.repeat(256)), { token });
      expect(fits.status).toBe(200);
      const padded = payload([await item('success-selfie'), await item(Buffer.alloc(30_000, 1))]);
      const over = await post(small, padded, { token });
      expect(over.status).toBe(413);
      expect(over.body).toMatchObject({
        code: 'payload-too-large',
        detail: /40000 bytes.*modules\.maxBodyBytes/,
      });
      const submission = await fetch(`${small.url}/v1/submissions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ referenceId: 'x'.repeat(3000) }),
        signal: AbortSignal.timeout(10_000),
      });
      expect(submission.status).toBe(413);
      expect(((await submission.json()) as { detail: string }).detail).toMatch(/2048 bytes.*maxJsonBytes/);
    } finally {
      await small.stop();
    }
  });
});

describe('POST /v1/modules/facematch when the engine fails', () => {
  it('answers 200 with score 0 and ERROR (an error prevented the comparison) and logs the error', async () => {
    const fixture = createFixtureEngine();
    const broken: ScoringEngine = {
      ...fixture,
      score: () => Promise.reject(new Error('inference session was released')),
    };
    const { app, composed, log } = await createTestApp({ engine: broken });
    try {
      const token = (
        await request(app)
          .post('/v1/oauth/token')
          .auth(DEMO.clientId, DEMO.clientSecret)
          .type('form')
          .send({ grant_type: 'client_credentials' })
      ).body.access_token as string;
      // Not a committed fixture (those keep their declared results whatever the engine does).
      const unknownSelfie = await sharp(await readFixture('success-selfie'))
        .png({ compressionLevel: 1 })
        .toBuffer();
      const res = await request(app)
        .post(PATH)
        .set('Authorization', `Bearer ${token}`)
        .send(payload([await item(unknownSelfie)]));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ response: { advice: { score: 0 }, outcome: 'ERROR' } });
      expect(log.join('\n')).toMatch(
        /facematch module, biometrics item 0: Error: inference session was released/,
      );
      expect(log.join('\n')).toMatch(/item 0: score 0 \(ENGINE_ERROR: The comparison could not be run/);
    } finally {
      await composed.close();
    }
  });
});
