import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient } from '../support/adminClient.ts';
import { partnerClient } from '../support/partnerClient.ts';
import { startFlow } from '../support/runFlow.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startTestServer();
  token = await server.token();
});
afterAll(async () => {
  await server?.stop();
});

async function outcomeOf(flow: Awaited<ReturnType<typeof startFlow>>) {
  await flow.client.pollUntilFinished(flow.id);
  return (await flow.client.details(flow.id)).body.result?.outcome;
}

describe('precedence: Prefer header > referenceId > admin queue > fixture image > engine', () => {
  it('each lever wins over the ones after it, and the queue is only drawn from when nothing earlier chose', async () => {
    const admin = adminClient(server.url);
    expect((await admin.queueScenario('demo', 'success', 2)).response.status).toBe(200);

    // Header beats referenceId, queue and the fixture image (fail-selfie declares Fail).
    const byHeader = await startFlow(server.url, token, {
      scenario: 'review',
      referenceId: 'scenario:fail:loan-1',
      selfie: 'fail-selfie',
    });
    expect(await outcomeOf(byHeader)).toBe('Review');

    // referenceId beats the queue and the fixture image.
    const byReference = await startFlow(server.url, token, {
      referenceId: 'scenario:review:loan-42',
      selfie: 'fail-selfie',
    });
    expect(byReference.created.response.headers.get('facematch-mock-scenario')).toBe('review');
    expect(byReference.created.response.headers.get('preference-applied')).toBeNull();
    expect(await outcomeOf(byReference)).toBe('Review');
    expect(byReference.created.body.referenceId).toBe('scenario:review:loan-42');

    // Neither header nor referenceId: the queue (still holding both uses) beats the fixture image.
    const queued = await admin.call('GET', '/partners/demo/scenario-queue');
    expect(queued.body.queue).toEqual([{ scenario: 'success', remaining: 2 }]);
    expect(await outcomeOf(await startFlow(server.url, token, { selfie: 'fail-selfie' }))).toBe('Success');
    expect(await outcomeOf(await startFlow(server.url, token, { selfie: 'fail-selfie' }))).toBe('Success');
    expect((await admin.call('GET', '/partners/demo/scenario-queue')).body.queue).toEqual([]);

    // Nothing chosen: the fixture image's declared result, then the engine for unknown images.
    const byFixture = await startFlow(server.url, token, { selfie: 'fail-selfie' });
    expect(byFixture.created.response.headers.get('facematch-mock-scenario')).toBeNull();
    expect(await outcomeOf(byFixture)).toBe('Fail');
    expect((await byFixture.client.details(byFixture.id)).body.result?.score).toBe(41);
  });

  it("the queue is per partner: demo's queue never reaches demo-2", async () => {
    const admin = adminClient(server.url);
    await admin.queueScenario('demo', 'review', 1);
    const other = await server.token({ clientId: 'demo-2', clientSecret: 'demo-2-secret' });
    expect(await outcomeOf(await startFlow(server.url, other, { selfie: 'success-selfie' }))).toBe('Success');
    expect(await outcomeOf(await startFlow(server.url, token, { selfie: 'success-selfie' }))).toBe('Review');
  });

  it('the admin API shows the scenario in force and what chose it', async () => {
    const flow = await startFlow(server.url, token, { scenario: 'fail' });
    const { body } = await adminClient(server.url).submission(flow.id);
    expect(body.scenario).toEqual({ name: 'fail', source: 'prefer-header' });
  });
});

describe('an unknown scenario is refused, never ignored', () => {
  it.each([
    [{ prefer: 'scenario=revew' }, {}, 'Prefer', 'header'],
    [{}, { referenceId: 'scenario:revew:loan-1' }, '/referenceId', 'body'],
  ] as const)('%o %o → 400 naming %s and listing the known names', async (headers, body, field, location) => {
    const client = partnerClient(server.url, token);
    const { response, body: problem } = await client.createSubmission(body, headers);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const p = problem as unknown as {
      code: string;
      errors: unknown[];
      knownScenarios: string[];
      detail: string;
    };
    expect(p.code).toBe('unknown-scenario');
    expect(p.errors).toEqual([expect.objectContaining({ field, location })]);
    expect(p.knownScenarios).toContain('review');
    expect(p.detail).toMatch(/revew.*review/);
  });

  it('Prefer follows RFC 7240: other preferences are ignored, quoted values work', async () => {
    const client = partnerClient(server.url, token);
    const { response } = await client.createSubmission({}, { prefer: 'respond-async, scenario="fail"; x=1' });
    expect(response.status).toBe(201);
    expect(response.headers.get('preference-applied')).toBe('scenario=fail');
    const plain = await client.createSubmission({}, { prefer: 'return=minimal' });
    expect(plain.response.headers.get('facematch-mock-scenario')).toBeNull();
  });

  it('the admin queue refuses an unknown name and an unknown partner', async () => {
    const admin = adminClient(server.url);
    const unknown = await admin.queueScenario('demo', 'nope');
    expect(unknown.response.status).toBe(400);
    expect(unknown.body.code).toBe('unknown-scenario');
    expect((await admin.queueScenario('nobody', 'review')).response.status).toBe(404);
    const zero = await admin.queueScenario('demo', 'review', 0);
    expect(zero.response.status).toBe(400);
    expect(zero.body.errors[0].field).toBe('/count');
  });
});
