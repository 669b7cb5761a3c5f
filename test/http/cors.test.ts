import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/testApp.ts';

let current: TestApp | undefined;
afterEach(async () => {
  await current?.composed.close();
  current = undefined;
});

async function app(cors?: { apiOrigins: string[]; bucketOrigins: string[] }) {
  current = await createTestApp(cors ? { config: { cors } } : {});
  return current.app;
}

const PAGE = 'http://app.partner.test';

describe('CORS', () => {
  it('answers a bucket preflight from any origin by default, per the Fetch standard', async () => {
    const res = await request(await app())
      .options('/bucket/uploads/abc/SELFIE?OSSAccessKeyId=x&Expires=1&Signature=y')
      .set('Origin', PAGE)
      .set('Access-Control-Request-Method', 'PUT')
      .set('Access-Control-Request-Headers', 'content-type');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-methods']).toMatch(/PUT/);
    expect(res.headers['access-control-allow-headers']).toMatch(/Content-Type/i);
    expect(res.headers['access-control-max-age']).toMatch(/^\d+$/);
    expect(res.headers.vary).toMatch(/Origin/);
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('allows no origin on the API by default: the preflight gets the contract 405 and no CORS headers', async () => {
    const res = await request(await app())
      .options('/v1/submissions')
      .set('Origin', PAGE)
      .set('Access-Control-Request-Method', 'POST');
    expect(res.status).toBe(405);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers API preflights and requests of a configured origin only, echoing it', async () => {
    const a = await app({ apiOrigins: [PAGE], bucketOrigins: [] });
    const preflight = await request(a)
      .options('/v1/submissions')
      .set('Origin', PAGE)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization, content-type');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(PAGE);
    expect(preflight.headers['access-control-allow-headers']).toMatch(/Authorization/);
    expect(preflight.headers.vary).toMatch(/Origin/);

    const health = await request(a).get('/healthz').set('Origin', PAGE);
    expect(health.headers['access-control-allow-origin']).toBe(PAGE);
    const stranger = await request(a).get('/healthz').set('Origin', 'http://evil.test');
    expect(stranger.headers['access-control-allow-origin']).toBeUndefined();
    const bucket = await request(a)
      .options('/bucket/uploads/abc/SELFIE')
      .set('Origin', PAGE)
      .set('Access-Control-Request-Method', 'PUT');
    expect(bucket.status).toBe(405);
  });
});
