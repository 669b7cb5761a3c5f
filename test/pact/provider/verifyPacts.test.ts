import { join } from 'node:path';
import { Verifier } from '@pact-foundation/pact';
import type { Request } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver } from '../../support/receiver.ts';
import { startTestServer, type TestServer, testConfig } from '../../support/testServer.ts';
import { PACTS_DIR, PROVIDERS, pactFileName } from '../consumer/pactFiles.ts';

let server: TestServer;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let stateNames: string[];

beforeAll(async () => {
  receiver = await startReceiver(() => 204);
  // The partner's default callback URL, so the completions the provider states produce are delivered.
  const partners = testConfig().partners.map((p) => ({ ...p, callbackUrl: receiver.url }));
  server = await startTestServer({ partners });
  const response = await fetch(`${server.url}/__admin/provider-states`, {
    signal: AbortSignal.timeout(5000),
  });
  stateNames = ((await response.json()) as { states: Array<{ name: string }> }).states.map((s) => s.name);
});
afterAll(async () => {
  await server?.stop();
  await receiver?.close();
});

/**
 * Every state the server lists, set up by posting to its own provider-state endpoint: the admin API
 * and the scenario machinery, nothing only tests can reach. The answer's values fill the pacts'
 * `fromProviderState` expressions.
 */
function stateHandlers() {
  return Object.fromEntries(
    stateNames.map((name) => [
      name,
      async (params: unknown) => {
        const response = await fetch(`${server.url}/__admin/provider-states`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ state: name, params: params ?? {}, action: 'setup' }),
          signal: AbortSignal.timeout(15_000),
        });
        if (response.status !== 200)
          throw new Error(`state "${name}": ${response.status} ${await response.text()}`);
        return (await response.json()) as Record<string, string>;
      },
    ]),
  );
}

/**
 * Pacts carry example tokens; each request gets a fresh one of the demo partner. pact-js's proxy has
 * already parsed a form body into an object and would forward it as JSON (pact-js #884), so it is
 * put back into its form encoding, which for our pacts is byte for byte what the pact holds.
 */
function requestFilter(token: () => Promise<string>) {
  return (req: Request, _res: unknown, next: () => void) => {
    const done = async () => {
      if (/^Bearer /.test(req.headers.authorization ?? ''))
        req.headers.authorization = `Bearer ${await token()}`;
      if (req.is('application/x-www-form-urlencoded') && req.body && !Buffer.isBuffer(req.body)) {
        req.body = Buffer.from(new URLSearchParams(req.body as Record<string, string>).toString());
      }
    };
    void done().then(next, next);
  };
}

describe('the server honours every pact in pacts/', () => {
  it.each([PROVIDERS.api, PROVIDERS.bucket])('%s', async (provider) => {
    const output = await new Verifier({
      provider,
      providerBaseUrl: server.url,
      pactUrls: [join(PACTS_DIR, pactFileName(provider))],
      stateHandlers: stateHandlers(),
      requestFilter: requestFilter(() => server.token()),
      logLevel: 'warn',
    }).verifyProvider();
    expect(output).toBeDefined();
  });

  it(PROVIDERS.callbacks, async () => {
    const before = receiver.requests.length;
    await new Verifier({
      provider: PROVIDERS.callbacks,
      pactUrls: [join(PACTS_DIR, pactFileName(PROVIDERS.callbacks))],
      stateHandlers: stateHandlers(),
      // The message is the callback the state's completed submission really produced, as delivered.
      messageProviders: {
        'a submission.completed callback': async () => {
          await receiver.waitForRequests(before + 1);
          return JSON.parse(receiver.requests.at(-1)?.rawBody ?? 'null');
        },
      },
      logLevel: 'warn',
    }).verifyProvider();
    expect(receiver.requests.length).toBeGreaterThan(before);
  });
});
