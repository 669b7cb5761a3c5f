import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFixture } from '../../fixtures/index.ts';
import type { components } from '../../src/admin/generated/admin.ts';
import { adminClient } from '../support/adminClient.ts';
import { partnerClient } from '../support/partnerClient.ts';
import { createTestApp, testClock } from '../support/testApp.ts';
import { DEMO, DEMO_2, startTestServer, type TestServer } from '../support/testServer.ts';

type JournalEntry = components['schemas']['JournalEntry'];

// validateResponses is 'enforce' in the test config: every admin answer below has passed
// openapi/admin.yaml, or it would have been a 500.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

async function lastNearMiss(partner: string, pathPrefix: string): Promise<JournalEntry> {
  const page = await adminClient(server.url).journal({ partner, pathPrefix, nearMissesOnly: true, limit: 1 });
  const [entry] = page.entries;
  if (!entry) throw new Error(`no near miss of ${partner} under ${pathPrefix}`);
  return entry;
}

describe('near misses over a real port: each refusal names the rule that refused it', () => {
  it('a wrong Content-Type: rule content-type, attributed to the partner whose token came with it', async () => {
    const token = await server.token();
    const response = await fetch(`${server.url}/v1/submissions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      body: 'documentType=PASSPORT',
      signal: AbortSignal.timeout(5000),
    });
    expect(response.status).toBe(415);
    expect(await lastNearMiss('demo', '/v1/submissions')).toMatchObject({
      method: 'POST',
      path: '/v1/submissions',
      area: 'api',
      status: 415,
      partnerId: 'demo',
      nearMiss: { rule: 'content-type', field: 'content-type', location: 'header' },
    });
  });

  it('a missing field: the schema keyword `required` and the field it is about', async () => {
    const response = await fetch(`${server.url}/v1/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${DEMO_2.clientId}:${DEMO_2.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'scope=facematch',
      signal: AbortSignal.timeout(5000),
    });
    expect(response.status).toBe(400);
    const page = await adminClient(server.url).journal({
      pathPrefix: '/v1/oauth/token',
      status: 400,
      limit: 1,
    });
    expect(page.entries[0]?.nearMiss).toMatchObject({
      rule: 'required',
      field: '/grant_type',
      location: 'body',
    });
  });

  it('a tampered upload URL: SignatureDoesNotMatch, with the owner and submission of the object, signature hidden', async () => {
    const client = partnerClient(server.url, await server.token(DEMO_2));
    const created = await client.createSubmission({});
    const upload = client.uploadFor(created.body, 'SELFIE');
    const tampered = new URL(upload.url);
    tampered.searchParams.set('Expires', String(Number(tampered.searchParams.get('Expires')) + 3600));
    const put = await fetch(tampered, {
      method: 'PUT',
      headers: upload.headers,
      body: new Uint8Array(await readFixture('success-selfie')),
      signal: AbortSignal.timeout(5000),
    });
    expect(put.status).toBe(403);

    const entry = await lastNearMiss('demo-2', '/bucket/');
    expect(entry).toMatchObject({
      method: 'PUT',
      area: 'bucket',
      status: 403,
      partnerId: 'demo-2',
      correlationId: created.body.correlationId,
      nearMiss: { rule: 'SignatureDoesNotMatch' },
    });
    expect(entry.path).toContain('Signature=***');
    expect(entry.path).not.toContain(new URL(upload.url).searchParams.get('Signature') ?? '-');
  });

  it('filters by submission and by partner, and DELETE forgets one partner or everyone', async () => {
    const demo = partnerClient(server.url, await server.token());
    const created = await demo.createSubmission({});
    const id = created.body.correlationId;
    await demo.status(id);
    await demo.confirm(id); // 409: nothing uploaded yet

    const admin = adminClient(server.url);
    const mine = await admin.journal({ correlationId: id });
    expect(mine.entries.map((e) => [e.method, e.status])).toEqual([
      ['POST', 409],
      ['GET', 200],
    ]);
    expect(mine.entries[0]?.nearMiss).toMatchObject({ rule: 'uploads-missing' });
    expect((await admin.journal({ correlationId: id, method: 'GET' })).entries).toHaveLength(1);
    expect((await admin.journal({ partner: 'demo-2' })).entries.every((e) => e.partnerId === 'demo-2')).toBe(
      true,
    );

    const cleared = await admin.clearJournal('demo-2');
    expect(cleared.response.status).toBe(200);
    expect(cleared.body.cleared).toBeGreaterThan(0);
    expect((await admin.journal({ partner: 'demo-2' })).entries).toEqual([]);
    expect((await admin.journal({ correlationId: id })).entries).toHaveLength(2);

    await admin.clearJournal();
    expect((await admin.journal()).size).toBe(0);
  });

  it('refuses a filter of the wrong type as a problem naming the parameter', async () => {
    const response = await adminClient(server.url).get('/__admin/journal?status=teapot');
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toMatchObject({
      code: 'validation-failed',
      errors: [{ location: 'query', field: 'status' }],
    });
  });
});

describe('on a test clock', () => {
  it('an expired upload URL: RequestExpired, where S3 itself only says AccessDenied', async () => {
    const { app, composed } = await createTestApp();
    try {
      const issued = await request(app)
        .post('/v1/oauth/token')
        .auth(DEMO.clientId, DEMO.clientSecret)
        .type('form')
        .send({ grant_type: 'client_credentials' });
      const created = await request(app)
        .post('/v1/submissions')
        .set('Authorization', `Bearer ${issued.body.access_token}`)
        .send({});
      const upload = (created.body.uploads as Array<{ imageType: string; url: string }>).find(
        (u) => u.imageType === 'DOCUMENT',
      );
      // Past the URL's 900 s on demo's test clock: the URL has run out, by the partner's business time.
      await request(app).post('/__admin/partners/demo/clock').send({ advanceSeconds: 901 }).expect(200);
      const url = new URL(upload?.url ?? '');
      const put = await request(app)
        .put(url.pathname + url.search)
        .set('Content-Type', 'image/jpeg')
        .send(await readFixture('document'));
      expect(put.status).toBe(403);
      expect(put.text).toContain('Request has expired');

      const page = await request(app).get('/__admin/journal').query({ pathPrefix: '/bucket/', limit: 1 });
      expect(page.status).toBe(200);
      expect(page.body.entries[0]).toMatchObject({
        partnerId: 'demo',
        correlationId: created.body.correlationId,
        nearMiss: { rule: 'RequestExpired', message: 'Request has expired' },
      });
    } finally {
      await composed.close();
    }
  });

  it('tells an expired token (token-expired, still its partner) from a forged one (token-invalid)', async () => {
    const clock = testClock();
    const { app, composed } = await createTestApp({ now: clock.now });
    try {
      const issued = await request(app)
        .post('/v1/oauth/token')
        .auth(DEMO.clientId, DEMO.clientSecret)
        .type('form')
        .send({ grant_type: 'client_credentials' });
      const token = issued.body.access_token as string;
      clock.advance(Number(issued.body.expires_in) + 60);

      const expired = await request(app)
        .get('/v1/submissions/abc/status')
        .set('Authorization', `Bearer ${token}`);
      expect(expired.status).toBe(401);
      const forged = await request(app)
        .get('/v1/submissions/abc/status')
        .set('Authorization', `Bearer ${token.slice(0, -4)}AAAA`);
      expect(forged.status).toBe(401);

      const page = await request(app).get('/__admin/journal').query({ nearMissesOnly: 'true', limit: 2 });
      expect(page.status).toBe(200);
      expect(page.body.entries).toMatchObject([
        { status: 401, partnerId: null, nearMiss: { rule: 'token-invalid', field: 'authorization' } },
        {
          status: 401,
          partnerId: 'demo',
          correlationId: 'abc',
          nearMiss: { rule: 'token-expired', message: expect.stringMatching(/expired/) },
        },
      ]);
    } finally {
      await composed.close();
    }
  });
});
