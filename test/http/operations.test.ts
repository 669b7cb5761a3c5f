import { createPublicKey, createVerify } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/testApp.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.composed.close();
});

describe('operational endpoints', () => {
  it('report liveness and readiness with the engine in use', async () => {
    expect((await request(t.app).get('/healthz')).body).toMatchObject({ status: 'ok' });
    expect((await request(t.app).get('/readyz')).body).toMatchObject({ status: 'ok', engine: 'fixture' });
  });

  it('serve the OpenAPI document and a reference page whose renderer files come from this server', async () => {
    const doc = await request(t.app).get('/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    const page = await request(t.app).get('/docs');
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('"/openapi.json"');
    const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)]
      .map((m) => m[1] as string)
      .filter((url) => url !== '/openapi.json');
    expect(assets.length).toBeGreaterThanOrEqual(3);
    for (const asset of assets) {
      expect(asset, 'no CDN').toMatch(/^\/docs\//);
      const res = await request(t.app).get(asset);
      expect(res.status, asset).toBe(200);
    }
    expect((await request(t.app).get('/docs/package.json')).status).toBe(404);
    expect((await request(t.app).get('/docs/..%2Fpackage.json')).status).toBe(404);
  });

  it('describe every problem type a response can name', async () => {
    const res = await request(t.app).get('/problems/uploads-missing');
    expect(res.body).toMatchObject({ code: 'uploads-missing', status: 409 });
    expect((await request(t.app).get('/problems/nope')).status).toBe(404);
  });

  it('publish a JWKS whose key verifies the tokens we issue', async () => {
    const token = (
      await request(t.app)
        .post('/v1/oauth/token')
        .auth('demo', 'demo-secret')
        .type('form')
        .send({ grant_type: 'client_credentials' })
    ).body.access_token as string;
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const { keys } = (await request(t.app).get('/.well-known/jwks.json')).body;
    const kid = JSON.parse(Buffer.from(header, 'base64url').toString()).kid;
    const jwk = keys.find((k: { kid: string }) => k.kid === kid);
    const verifier = createVerify('RSA-SHA256').update(`${header}.${payload}`);
    expect(
      verifier.verify(createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(signature, 'base64url')),
    ).toBe(true);
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toMatchObject({
      sub: 'demo',
      client_id: 'demo',
      aud: 'facematch-api',
      iss: 'http://127.0.0.1:8080',
    });
  });
});

describe('HEAD', () => {
  it('answers like GET without a body, as load balancers expect', async () => {
    const res = await request(t.app).head('/healthz');
    expect(res.status).toBe(200);
  });
});
