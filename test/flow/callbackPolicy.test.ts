import { lookup } from 'node:dns/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFixture } from '../../fixtures/index.ts';
import type { ResolveHost } from '../../src/callbacks/checkCallbackTarget.ts';
import { partnerClient } from '../support/partnerClient.ts';
import { startReceiver } from '../support/receiver.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

/**
 * The callback policy as a partner meets it, on real servers: one listening on 127.0.0.1 (a
 * developer's laptop: loopback and private receivers allowed) and one on 0.0.0.0 (a container or a
 * shared host: public receivers only). Names resolve through a table (no external DNS in tests);
 * `rebind.test` answers a public address first and a loopback one after, as a rebinding attacker's does.
 */
function tableResolver(): ResolveHost {
  const lookups = new Map<string, number>();
  const table: Record<string, (n: number) => string> = {
    'metadata.test': () => '169.254.169.254',
    'intranet.test': () => '10.0.0.5',
    'public.test': () => '93.184.216.34',
    'rebind.test': (n) => (n === 0 ? '93.184.216.34' : '127.0.0.1'),
  };
  return async (host) => {
    if (host === 'localhost')
      return (await lookup(host, { all: true })) as Array<{ address: string; family: 4 | 6 }>;
    const answer = table[host];
    if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    const n = lookups.get(host) ?? 0;
    lookups.set(host, n + 1);
    return [{ address: answer(n), family: 4 }];
  };
}

let onLoopback: TestServer;
let onAll: TestServer;
beforeAll(async () => {
  onLoopback = await startTestServer({}, { resolveHost: tableResolver() });
  onAll = await startTestServer({ host: '0.0.0.0' }, { resolveHost: tableResolver() });
});
afterAll(async () => {
  await onLoopback?.stop();
  await onAll?.stop();
});
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const tokens = new Map<TestServer, Promise<string>>();
const tokenOf = (server: TestServer) => {
  if (!tokens.has(server)) tokens.set(server, server.token());
  return tokens.get(server) as Promise<string>;
};

async function create(server: TestServer, callbackUrl: string) {
  const response = await fetch(`${server.url}/v1/submissions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await tokenOf(server)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ callbackUrl }),
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await response.json()) as {
    code?: string;
    errors?: Array<{ location: string; field: string; message: string }>;
  };
  return { status: response.status, type: response.headers.get('content-type'), body };
}

// Each receiver spelling is tried under both listening modes: [url, on 127.0.0.1, on 0.0.0.0].
const LOOPBACK = [
  'http://127.0.0.1:9/cb',
  'http://2130706433:9/cb',
  'http://0x7f000001:9/cb',
  'http://0177.0.0.1:9/cb',
  'http://127.1:9/cb',
  'http://[::1]:9/cb',
  'http://[::ffff:127.0.0.1]:9/cb',
  'http://[::ffff:7f00:1]:9/cb',
  'http://localhost:9/cb',
];
const PRIVATE = ['http://10.0.0.1/cb', 'http://192.168.1.1/cb', 'http://intranet.test/cb'];
const NEVER = [
  'http://169.254.169.254/latest/meta-data/',
  'http://[fe80::1]/cb',
  'http://0.0.0.0:9/cb',
  'http://[::ffff:169.254.169.254]/latest/meta-data/',
  'http://metadata.test/latest/meta-data/',
];
const PUBLIC = ['http://93.184.216.34/cb', 'https://public.test/cb'];

describe('a callbackUrl at submission', () => {
  it.each(LOOPBACK.map((url) => [url]))('%s: accepted on 127.0.0.1, refused on 0.0.0.0', async (url) => {
    expect((await create(onLoopback, url)).status).toBe(201);
    const refused = await create(onAll, url);
    expect(refused.status).toBe(400);
    expect(refused.type).toMatch(/^application\/problem\+json/);
    expect(refused.body.code).toBe('validation-failed');
    expect(refused.body.errors).toEqual([
      {
        location: 'body',
        field: '/callbackUrl',
        message: expect.stringMatching(
          /refused by the callback policy: .*a loopback address: allowed only while the server listens on loopback \(it listens on 0\.0\.0\.0\); set callbacks\.policy .* to allow-private/,
        ),
      },
    ]);
  });

  it.each(PRIVATE.map((url) => [url]))('%s: accepted on 127.0.0.1, refused on 0.0.0.0', async (url) => {
    expect((await create(onLoopback, url)).status).toBe(201);
    const refused = await create(onAll, url);
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0]?.message).toMatch(/a private address: allowed only while/);
  });

  it.each(NEVER.map((url) => [url]))('%s: refused whatever the server listens on', async (url) => {
    for (const server of [onLoopback, onAll]) {
      const refused = await create(server, url);
      expect(refused.status).toBe(400);
      expect(refused.body.errors?.[0]).toMatchObject({
        field: '/callbackUrl',
        message: expect.stringMatching(
          /(link-local|unspecified) address.*never go there, whatever the policy/,
        ),
      });
    }
  });

  it('refuses a name that resolves to a refused address, saying what it resolves to', async () => {
    const refused = await create(onLoopback, 'http://metadata.test/latest/meta-data/iam');
    expect(refused.body.errors?.[0]?.message).toMatch(
      /metadata\.test resolves to 169\.254\.169\.254, a link-local/,
    );
    const intranet = await create(onAll, 'http://intranet.test/cb');
    expect(intranet.body.errors?.[0]?.message).toMatch(
      /intranet\.test resolves to 10\.0\.0\.5, a private address/,
    );
  });

  it.each(PUBLIC.map((url) => [url]))('%s: accepted whatever the server listens on', async (url) => {
    expect((await create(onLoopback, url)).status).toBe(201);
    expect((await create(onAll, url)).status).toBe(201);
  });

  it('accepts a name that does not resolve yet: it is resolved and checked again at every attempt', async () => {
    expect((await create(onAll, 'https://not-yet.test/cb')).status).toBe(201);
  });

  it("refuses the mock's own admin, metrics and bucket paths, in any spelling, even on loopback", async () => {
    const port = new URL(onLoopback.url).port;
    for (const url of [
      `${onLoopback.url}/__admin/partners/demo/reset`,
      `http://localhost:${port}/__admin/submissions`,
      `http://2130706433:${port}/%5F%5Fadmin/journal`,
      `http://[::ffff:127.0.0.1]:${port}//__ADMIN/journal`,
      `http://127.0.0.1:${port}/metrics`,
      `http://127.0.0.1:${port}/bucket/uploads/x/SELFIE`,
    ]) {
      const refused = await create(onLoopback, url);
      expect(refused.status, url).toBe(400);
      expect(refused.body.errors?.[0]?.message, url).toMatch(
        /this server's own \/(__admin|metrics|bucket) path/,
      );
    }
    const onAllPort = new URL(onAll.url).port;
    const refused = await create(onAll, `http://localhost:${onAllPort}/__admin/partners/demo/reset`);
    expect(refused.body.errors?.[0]?.message).toMatch(/own \/__admin path/);
  });
});

async function completeWithCallback(server: TestServer, callbackUrl: string) {
  const client = partnerClient(server.url, await tokenOf(server));
  const created = await client.createSubmission({ callbackUrl, selfieContentType: 'image/png' });
  expect(created.response.status).toBe(201);
  await client.upload(client.uploadFor(created.body, 'SELFIE'), await readFixture('success-selfie'));
  await client.upload(client.uploadFor(created.body, 'DOCUMENT'), await readFixture('document'));
  expect((await client.confirm(created.body.correlationId)).response.status).toBe(202);
  await client.pollUntilFinished(created.body.correlationId);
  return { client, id: created.body.correlationId };
}

async function deliveryOnceSettled(client: ReturnType<typeof partnerClient>, id: string) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { body } = await client.callbacks(id);
    const delivery = body.deliveries[0];
    if (delivery && delivery.state !== 'pending') return delivery;
    if (Date.now() > deadline) throw new Error(`delivery still pending: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a callback at delivery', () => {
  it('refuses a name that rebound to loopback since submission: a failed attempt, no connection, no retry', async () => {
    const receiver = await startReceiver(() => 200);
    cleanups.push(() => receiver.close());
    const port = new URL(receiver.url).port;
    const { client, id } = await completeWithCallback(onAll, `http://rebind.test:${port}/callbacks`);
    const delivery = await deliveryOnceSettled(client, id);
    expect(delivery.state).toBe('failed');
    expect(delivery.attempts).toEqual([
      {
        at: expect.any(String),
        durationMs: expect.any(Number),
        ok: false,
        error: expect.stringMatching(
          /^refused by the callback policy, no connection made: rebind\.test resolves to 127\.0\.0\.1, a loopback address/,
        ),
      },
    ]);
    await onAll.composed.idle();
    expect(receiver.requests).toHaveLength(0);
  });

  it('does not follow a redirect to an internal address: the 3xx is the recorded answer', async () => {
    const internal = await startReceiver(() => 200);
    cleanups.push(() => internal.close());
    const redirecting = await startReceiver(() => ({ status: 302, headers: { location: internal.url } }));
    cleanups.push(() => redirecting.close());
    const { client, id } = await completeWithCallback(onLoopback, redirecting.url);
    const delivery = await deliveryOnceSettled(client, id);
    expect(delivery.state).toBe('failed');
    expect(delivery.attempts.map((a) => a.statusCode)).toEqual([302, 302, 302, 302]);
    expect(delivery.attempts[0]?.error).toMatch(/302 redirect to .*redirects are not followed/);
    expect(internal.requests).toHaveLength(0);
  });
});
