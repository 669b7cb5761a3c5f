import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFaceMatchClient } from '../../src/client/index.ts';
import { DEMO, startTestServer, type TestServer } from '../support/testServer.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

async function setUp(state: string, params: Record<string, unknown> = {}, query = '') {
  const response = await fetch(`${server.url}/__admin/provider-states${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ state, params, action: 'setup' }),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const partner = () =>
  createFaceMatchClient({ baseUrl: server.url, clientId: DEMO.clientId, clientSecret: DEMO.clientSecret });

it('lists the four provider states by their public names', async () => {
  const response = await fetch(`${server.url}/__admin/provider-states`, {
    signal: AbortSignal.timeout(5000),
  });
  const { states } = (await response.json()) as { states: Array<{ name: string; params: object }> };
  expect(states.map((s) => s.name)).toEqual([
    'a partner with valid credentials',
    'a submission awaiting upload',
    'a completed submission',
    'a failed submission',
  ]);
});

it.each([
  ['Success', 'COMPLETED'],
  ['Review', 'COMPLETED'],
  ['Fail', 'COMPLETED'],
  ['ERROR', 'COMPLETED'],
] as const)(
  '"a completed submission" with outcome %s is one the partner reads as such',
  async (outcome, status) => {
    const { status: code, body } = await setUp('a completed submission', { outcome });
    expect(code).toBe(200);
    const details = await partner().details(body.correlationId as string);
    expect(details).toMatchObject({ status, result: { outcome } });
  },
);

it('"a failed submission" is FAILED with ENGINE_ERROR', async () => {
  const { body } = await setUp('a failed submission');
  const details = await partner().details(body.correlationId as string);
  expect(details.status).toBe('FAILED');
  expect(details.result?.reasons.map((r) => r.code)).toContain('ENGINE_ERROR');
});

it('"a submission awaiting upload" hands out the upload URL parts; uploaded: true makes it confirmable', async () => {
  const { body } = await setUp('a submission awaiting upload');
  expect(body).toMatchObject({
    correlationId: expect.any(String),
    selfieUploadPath: expect.stringContaining('/SELFIE'),
  });
  const error = await partner()
    .confirm(body.correlationId as string)
    .catch((e) => e);
  expect(error.status).toBe(409);

  const ready = await setUp('a submission awaiting upload', { uploaded: true });
  await expect(partner().confirm(ready.body.correlationId as string)).resolves.toMatchObject({
    status: 'PROCESSING',
  });
});

it('an unknown state is a 400 that lists the known ones; a bad param and an unknown partner name the fix', async () => {
  const unknown = await setUp('a submission that was cancelled');
  expect(unknown.status).toBe(400);
  expect(unknown.body).toMatchObject({
    code: 'unknown-provider-state',
    knownStates: expect.arrayContaining(['a failed submission']),
  });
  expect(unknown.body.detail).toContain('"a completed submission"');

  const badOutcome = await setUp('a completed submission', { outcome: 'Great' });
  expect(badOutcome.body).toMatchObject({ status: 400, errors: [{ field: '/params/outcome' }] });

  const nobody = await setUp('a partner with valid credentials', {}, '?clientId=nobody');
  expect(nobody.status).toBe(404);
});

it('a state-change call with no state (what Pact sends for a stateless interaction) sets nothing up and answers 200 {}', async () => {
  for (const body of [{ state: '', params: {}, action: 'setup' }, { action: 'setup' }, { state: null }]) {
    const response = await fetch(`${server.url}/__admin/provider-states`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});
  }
  // A named state the server does not know still fails, with the known ones.
  expect((await setUp('a submission that was cancelled')).status).toBe(400);
});
