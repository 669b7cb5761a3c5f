import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { readFixture } from '../../fixtures/index.ts';
import { startReceiver } from '../support/receiver.ts';
import { createTestApp, type TestApp, testClock } from '../support/testApp.ts';

const HOUR = 3600;
const DAY = 24 * HOUR;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: Parameters<typeof createTestApp>[0] = {}) {
  const t = await createTestApp(options);
  cleanups.push(() => t.composed.close());
  return t;
}

async function tokenFor(app: TestApp['app']): Promise<string> {
  const res = await request(app)
    .post('/v1/oauth/token')
    .auth('demo', 'demo-secret')
    .type('form')
    .send({ grant_type: 'client_credentials' });
  return res.body.access_token as string;
}

async function uploadedSubmission(app: TestApp['app'], token: string, body: object = {}) {
  const created = await request(app)
    .post('/v1/submissions')
    .set('Authorization', `Bearer ${token}`)
    .send({ selfieContentType: 'image/png', ...body });
  expect(created.status).toBe(201);
  for (const upload of created.body.uploads as Array<{
    imageType: string;
    url: string;
    headers: Record<string, string>;
  }>) {
    const url = new URL(upload.url);
    const bytes = await readFixture(upload.imageType === 'SELFIE' ? 'success-selfie' : 'document');
    const put = await request(app)
      .put(url.pathname + url.search)
      .set('Content-Type', upload.headers['Content-Type'] as string)
      .send(bytes);
    expect(put.status).toBe(200);
  }
  return created.body as { correlationId: string; uploads: Array<{ imageType: string; url: string }> };
}

/** A problem body with the id in it replaced, so two answers about different ids can be compared. */
function withoutId(body: Record<string, unknown>, id: string) {
  return JSON.parse(JSON.stringify(body).replaceAll(id, '<id>'));
}

describe('retention (privacy default: these are face images)', () => {
  it('images read as absent 24 h after upload, so a confirm then reports them missing', async () => {
    // Starts at the real time: the bucket checks presigned URL expiry against the wall clock.
    const clock = testClock(new Date());
    const { app } = await setup({ now: clock.now });
    const token = await tokenFor(app);
    const created = await uploadedSubmission(app, token);

    clock.advance(DAY - 60);
    const stillThere = await request(app)
      .post(`/v1/submissions/${created.correlationId}/confirm`)
      .set('Authorization', `Bearer ${await tokenFor(app)}`)
      .set('Idempotency-Key', 'not-yet');
    expect(stillThere.status).toBe(202);

    const second = await uploadedSubmission(app, await tokenFor(app));
    clock.advance(DAY);
    const confirm = await request(app)
      .post(`/v1/submissions/${second.correlationId}/confirm`)
      .set('Authorization', `Bearer ${await tokenFor(app)}`);
    expect(confirm.status).toBe(409);
    expect(confirm.body.missingImages).toEqual(['SELFIE', 'DOCUMENT']);
  });

  it('an expired submission answers 404 exactly like an unknown one, on every endpoint', async () => {
    const clock = testClock(new Date());
    const { app } = await setup({ now: clock.now });
    const created = await uploadedSubmission(app, await tokenFor(app));
    const unknown = '00000000-0000-4000-8000-000000000000';

    clock.advance(7 * DAY + 1);
    const token = await tokenFor(app);
    for (const suffix of ['', '/status', '/callbacks']) {
      const expired = await request(app)
        .get(`/v1/submissions/${created.correlationId}${suffix}`)
        .set('Authorization', `Bearer ${token}`);
      const never = await request(app)
        .get(`/v1/submissions/${unknown}${suffix}`)
        .set('Authorization', `Bearer ${token}`);
      expect(expired.status).toBe(404);
      expect(withoutId(expired.body, created.correlationId)).toEqual(withoutId(never.body, unknown));
    }
    const confirm = await request(app)
      .post(`/v1/submissions/${created.correlationId}/confirm`)
      .set('Authorization', `Bearer ${token}`);
    expect(confirm.status).toBe(404);
  });

  it('the sweep deletes images, the submission, its callback log and Idempotency-Key answers from disk', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'facematch-retention-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const receiver = await startReceiver(() => 200);
    cleanups.push(() => receiver.close());
    const clock = testClock(new Date());
    const t = await setup({ now: clock.now, config: { dataDir } });
    const created = await uploadedSubmission(t.app, await tokenFor(t.app), { callbackUrl: receiver.url });
    const confirmed = await request(t.app)
      .post(`/v1/submissions/${created.correlationId}/confirm`)
      .set('Authorization', `Bearer ${await tokenFor(t.app)}`)
      .set('Idempotency-Key', 'confirm-1');
    expect(confirmed.status).toBe(202);
    // Processing waits on the partner's business clock, which runs on the (here stopped) wall clock.
    await t.composed.clocks.advance('demo', 1000);
    await receiver.waitForRequests(1);
    await t.composed.idle();
    const files = (folder: string) =>
      existsSync(join(dataDir, 'store', folder)) ? readdirSync(join(dataDir, 'store', folder)) : [];
    // The submission's file holds its callback delivery too.
    for (const folder of ['blobs', 'submissions', 'answers'])
      expect(files(folder).length, folder).toBeGreaterThan(0);

    // After a day the images go; the submission and its records stay for the week.
    clock.advance(DAY + 1);
    await t.composed.sweepExpired();
    expect(files('blobs')).toEqual([]);
    expect(files('submissions')).toHaveLength(1);
    expect(t.log.join('\n')).toMatch(
      /retention: deleted 2 image\(s\), 0 submission\(s\), 0 stored answer\(s\)/,
    );

    clock.advance(6 * DAY);
    await t.composed.sweepExpired();
    for (const folder of ['blobs', 'submissions', 'answers']) expect(files(folder), folder).toEqual([]);
    expect(t.log.join('\n')).toMatch(
      /retention: deleted 0 image\(s\), 1 submission\(s\), 1 stored answer\(s\)/,
    );
  });

  it('stray *.tmp files left by a killed process are swept at start-up', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'facematch-tmp-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    for (const folder of ['blobs', 'submissions', 'answers'])
      mkdirSync(join(dataDir, 'store', folder), { recursive: true });
    const strays = [
      join(dataDir, 'store', 'blobs', '0b6c1c9e-5f0e-4a8e-9d55-1b0d1e7c1f00.bin.1b0d1e7c.tmp'),
      join(dataDir, 'store', 'submissions', 'abc.json.1b0d1e7c.tmp'),
      join(dataDir, 'store', 'answers', 'x.json.123.abc.tmp'),
      join(dataDir, 'token-signing-key.pem.1.tmp'),
    ];
    for (const file of strays) writeFileSync(file, 'half a write');
    const keep = join(dataDir, 'notes.txt');
    writeFileSync(keep, 'not ours to remove');

    const t = await setup({ config: { dataDir } });
    for (const file of strays) expect(existsSync(file), file).toBe(false);
    expect(existsSync(keep)).toBe(true);
    expect(t.log.join('\n')).toMatch(/removed 4 unfinished temporary file/);
  });
});
