import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import yaml from 'yaml';
import { readFixture } from '../../fixtures/index.ts';
import { partnerClient } from '../support/partnerClient.ts';
import { createTestApp, type TestApp } from '../support/testApp.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

// The test app enforces the contract on our own responses: an undocumented status is a 500 here.
let t: TestApp;
let token: string;
beforeAll(async () => {
  t = await createTestApp();
  token = (
    await request(t.app)
      .post('/v1/oauth/token')
      .auth('demo', 'demo-secret')
      .type('form')
      .send({ grant_type: 'client_credentials' })
  ).body.access_token as string;
});
afterAll(async () => {
  await t?.composed.close();
});

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('requests the contract did not foresee', () => {
  it('a Content-Type that is not one media type is a 415 problem naming the header, not a 500', async () => {
    const res = await request(t.app)
      .post('/v1/submissions')
      .set('authorization', `Bearer ${token}`)
      .set('content-type', 'application/json, text/plain')
      .send('{}');
    expect(res.status).toBe(415);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'unsupported-media-type' });
    expect(res.body.errors).toEqual([expect.objectContaining({ location: 'header', field: 'content-type' })]);
    expect(res.text).not.toMatch(/ at .*\.ts/);
  });

  it('a bad path parameter is named as the document spells it (Prism lower-cases it)', async () => {
    const res = await request(t.app)
      .get(`/v1/submissions/${'a'.repeat(70)}`)
      .set('authorization', `Bearer ${token}`);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      expect.objectContaining({
        location: 'path',
        field: 'correlationId',
        message: expect.stringContaining('correlationId'),
      }),
    ]);
  });

  it('the token endpoint refuses the same with 415 too', async () => {
    const res = await request(t.app)
      .post('/v1/oauth/token')
      .auth('demo', 'demo-secret')
      .set('content-type', 'application/x-www-form-urlencoded, text/plain')
      .send('grant_type=client_credentials');
    expect(res.status).toBe(415);
  });

  it('a JSON body sent to any body-less admin operation is a documented 415 that says it takes no body', async () => {
    // Java and .NET HTTP clients often POST or DELETE `{}` as JSON where no body is expected; the
    // answer must say so (not "application/json is not accepted: send application/json"), and the
    // document must list it (the test app turns an undocumented status into a 500).
    const admin = yaml.parse(readFileSync('openapi/admin.yaml', 'utf8')) as {
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
    };
    const bodyless = Object.entries(admin.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method, op]) => ['post', 'put', 'patch', 'delete'].includes(method) && !op.requestBody)
        .map(([method]) => ({ method, path: path.replace(/\{[^}]+\}/g, 'demo') })),
    );
    expect(bodyless.length).toBeGreaterThanOrEqual(7);
    for (const { method, path } of bodyless) {
      const res = await request(t.app)
        [method as 'post' | 'delete'](path)
        .set('content-type', 'application/json')
        .send('{}');
      expect(res.status, `${method} ${path}`).toBe(415);
      expect(res.body.detail).toBe(
        `${method.toUpperCase()} ${path} takes no request body: send it without one (Content-Type application/json with a body is not accepted).`,
      );
    }
  });

  it('a JSON body with no Content-Type is a 415 naming the header, not handled as if there were no body', async () => {
    const res = await request(t.app)
      .post('/v1/submissions')
      .set('authorization', `Bearer ${token}`)
      .send(Buffer.from(JSON.stringify({ documentType: 'PASSPORT', selfieContentType: 'image/png' })));
    expect(res.status).toBe(415);
    expect(res.body.detail).toBe(
      'The request has a body but no Content-Type: send Content-Type: application/json.',
    );
    expect(res.body.errors).toEqual([expect.objectContaining({ location: 'header', field: 'content-type' })]);
    // Without a body, a body-less admin operation needs no Content-Type (curl -X POST).
    expect((await request(t.app).post('/__admin/reset')).status).toBe(200);
  });

  it('/problems/%ZZ is a documented 400 problem', async () => {
    const res = await request(t.app).get('/problems/%ZZ');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'validation-failed' });
  });

  it('a body on GET is ignored, as RFC 9110 says it has no meaning, whatever its Content-Type', async () => {
    const poll = await request(t.app)
      .get('/v1/submissions/00000000-0000-4000-8000-000000000000/status')
      .set('authorization', `Bearer ${token}`)
      .set('content-type', 'application/json')
      .send('{"a":1}');
    expect(poll.status).toBe(404);
    expect(poll.body).toMatchObject({ code: 'submission-not-found' });
    const health = await request(t.app)
      .get('/healthz')
      .set('content-type', 'application/json, text/plain')
      .send('not json');
    expect(health.status).toBe(200);
  });
});

async function readyToConfirm(server: TestServer) {
  const client = partnerClient(server.url, await server.token());
  const created = await client.createSubmission({ selfieContentType: 'image/png' });
  await client.upload(client.uploadFor(created.body, 'SELFIE'), await readFixture('success-selfie'));
  await client.upload(client.uploadFor(created.body, 'DOCUMENT'), await readFixture('document'));
  return { client, id: created.body.correlationId };
}

describe('confirm under --data-dir', () => {
  it('takes a long Idempotency-Key whose escaped form exceeds a file name, and replays it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'facematch-idem-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const server = await startTestServer({ dataDir });
    cleanups.push(() => server.stop());
    const { client, id } = await readyToConfirm(server);
    // 255 characters, each escaped to three in a file name: far over the usual 255-byte limit.
    const key = '/'.repeat(255);
    const first = await client.confirm(id, { 'idempotency-key': key });
    expect(first.response.status).toBe(202);
    const replay = await client.confirm(id, { 'idempotency-key': key });
    expect(replay.response.status).toBe(202);
    expect(replay.body).toEqual(first.body);
    expect(server.log.join('')).not.toMatch(/ENAMETOOLONG|could not store/);
  });

  it('a failed disk write during confirm answers 503 storage-unavailable and leaves the submission confirmable', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'facematch-diskfail-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const server = await startTestServer({ dataDir });
    cleanups.push(() => server.stop());
    const { client, id } = await readyToConfirm(server);

    // The submissions directory disappears (and a file takes its name): every write there fails.
    const dir = join(dataDir, 'store', 'submissions');
    renameSync(dir, `${dir}.aside`);
    writeFileSync(dir, '');
    const failed = await client.confirm(id);
    expect(failed.response.status).toBe(503);
    expect(failed.response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(failed.body).toMatchObject({ code: 'storage-unavailable' });
    expect((await client.status(id)).body.status).toBe('AWAITING_UPLOAD');

    rmSync(dir);
    renameSync(`${dir}.aside`, dir);
    expect((await client.confirm(id)).response.status).toBe(202);
    expect((await client.pollUntilFinished(id)).status).toBe('COMPLETED');
  });
});
