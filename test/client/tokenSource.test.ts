import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTokenSource } from '../../src/client/createTokenSource.ts';
import { DEMO, startTestServer, type TestServer } from '../support/testServer.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

it('caches the token and fetches a new one a margin before it expires', async () => {
  let now = Date.now();
  let tokenRequests = 0;
  const tokens = createTokenSource({
    baseUrl: server.url,
    clientId: DEMO.clientId,
    clientSecret: DEMO.clientSecret,
    refreshBeforeExpiryMs: 60_000,
    now: () => now,
    policy: {
      timeoutMs: 5000,
      maxAttempts: 1,
      maxWaitMs: 0,
      retryNetworkErrors: false,
      fetch: (input, init) => {
        tokenRequests++;
        return fetch(input, init);
      },
    },
  });
  const [a, b] = await Promise.all([tokens.get(), tokens.get()]);
  expect(a).toBe(b);
  expect(tokenRequests).toBe(1);

  const issued = JSON.parse(Buffer.from(a.split('.')[1] as string, 'base64url').toString()) as {
    iat: number;
    exp: number;
  };
  const lifetimeMs = (issued.exp - issued.iat) * 1000;
  now += lifetimeMs - 61_000;
  expect(await tokens.get()).toBe(a);
  now += 2000; // now inside the last minute
  await tokens.get();
  expect(tokenRequests).toBe(2);

  tokens.invalidate('not-the-current-one');
  await tokens.get();
  expect(tokenRequests).toBe(2);
});
