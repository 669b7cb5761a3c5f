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

// Browsers revalidate what they fetched before (the dashboard polls the admin API): with responses
// checked against the contract, the 304 must pass as HTTP's answer, not become a 500.
describe('a conditional GET of something unchanged', () => {
  it.each(['/__admin/partners', '/openapi.json'])('answers %s with 304 Not Modified', async (path) => {
    // One origin for both, as a browser revalidating has: supertest listens on a new port per request,
    // and /openapi.json names the origin it was asked at (so another port is another document).
    const host = 'localhost:8080';
    const first = await request(t.app).get(path).set('Host', host).timeout(10_000);
    expect(first.status).toBe(200);
    expect(first.headers.etag).toBeTruthy();
    const again = await request(t.app)
      .get(path)
      .set('Host', host)
      .set('If-None-Match', first.headers.etag as string)
      .timeout(10_000);
    expect(again.status).toBe(304);
  });
});
