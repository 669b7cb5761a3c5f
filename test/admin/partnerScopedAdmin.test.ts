import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient } from '../support/adminClient.ts';
import { openEventStream } from '../support/eventStream.ts';
import { startReceiver } from '../support/receiver.ts';
import { startFlow } from '../support/runFlow.ts';
import { storeVariants } from '../support/storeVariants.ts';
import { DEMO, DEMO_2, startTestServer, type TestServer } from '../support/testServer.ts';

const OPERATOR_TOKEN = 'operator-token-0123456789abcdef';
const A = DEMO.clientId;
const B = DEMO_2.clientId;

/** A flow of `token`'s partner to completion, its callback delivered; its correlation and webhook ids. */
async function completedFlow(server: TestServer, token: string, callbackUrl: string, referenceId: string) {
  const flow = await startFlow(server.url, token, { callbackUrl, referenceId });
  expect((await flow.client.pollUntilFinished(flow.id)).status).toBe('COMPLETED');
  const operator = adminClient(server.url, OPERATOR_TOKEN);
  // Bounded by hand: this runs in beforeAll, where expect.poll is not available.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { body } = await operator.call('GET', `/callbacks?correlationId=${flow.id}`);
    const [delivery] = body.deliveries;
    if (delivery?.state === 'delivered')
      return { correlationId: flow.id, webhookId: delivery.webhookId as string };
    if (Date.now() > deadline)
      throw new Error(`the callback of ${flow.id} was not delivered: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(await storeVariants())(
  '$name store: the admin API scoped to a partner by its own access token',
  (variant) => {
    let server: TestServer;
    let cleanup: () => Promise<void> = async () => {};
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    let tokenA: string;
    let tokenB: string;
    let ofA: { correlationId: string; webhookId: string };
    let ofB: { correlationId: string; webhookId: string };

    beforeAll(async () => {
      const store = await variant.open();
      cleanup = store.cleanup;
      server = await startTestServer({
        ...store.overrides,
        admin: { token: OPERATOR_TOKEN, journalSize: 1000 },
      });
      receiver = await startReceiver(() => 204);
      [tokenA, tokenB] = await Promise.all([server.token(DEMO), server.token(DEMO_2)]);
      ofA = await completedFlow(server, tokenA, receiver.url, 'scoped-a');
      ofB = await completedFlow(server, tokenB, receiver.url, 'scoped-b');
    });
    afterAll(async () => {
      await server?.stop();
      await receiver?.close();
      await cleanup();
    });

    it('the operator token sees every partner, its submissions, deliveries and journal, and /metrics', async () => {
      const operator = adminClient(server.url, OPERATOR_TOKEN);
      expect(await operator.whoami()).toEqual({
        role: 'operator',
        partner: null,
        authenticatedBy: 'operator-token',
      });
      const partners = (await operator.call('GET', '/partners')).body.partners.map(
        (p: { clientId: string }) => p.clientId,
      );
      expect(partners).toEqual(expect.arrayContaining([A, B]));
      const submissions = (await operator.call('GET', '/submissions')).body.submissions;
      expect(submissions.map((s: { partnerId: string }) => s.partnerId)).toEqual(
        expect.arrayContaining([A, B]),
      );
      const deliveries = (await operator.call('GET', '/callbacks')).body.deliveries;
      expect(deliveries.map((d: { webhookId: string }) => d.webhookId)).toEqual(
        expect.arrayContaining([ofA.webhookId, ofB.webhookId]),
      );
      const journal = await operator.journal({ limit: 1000 });
      expect(new Set(journal.entries.map((e) => e.partnerId))).toEqual(new Set([A, B]));
      expect((await operator.get('/metrics')).status).toBe(200);
      expect((await operator.call('GET', `/submissions/${ofB.correlationId}`)).response.status).toBe(200);
    });

    it("partner A's token sees itself only: whoami, partners, submissions, images, timeline, callbacks, journal", async () => {
      const asA = adminClient(server.url, tokenA);
      expect(await asA.whoami()).toMatchObject({
        role: 'partner',
        partner: { clientId: A, clientSecret: expect.stringMatching(/\*\*\*\*$/) },
        authenticatedBy: 'partner-token',
      });
      expect(
        (await asA.call('GET', '/partners')).body.partners.map((p: { clientId: string }) => p.clientId),
      ).toEqual([A]);
      expect((await asA.call('GET', `/partners/${A}`)).body).toMatchObject({ clientId: A });

      const submissions = (await asA.call('GET', '/submissions')).body.submissions;
      expect(submissions.length).toBeGreaterThan(0);
      expect(new Set(submissions.map((s: { partnerId: string }) => s.partnerId))).toEqual(new Set([A]));
      expect(submissions.map((s: { correlationId: string }) => s.correlationId)).toContain(ofA.correlationId);

      const details = await asA.call('GET', `/submissions/${ofA.correlationId}`);
      expect(details.response.status).toBe(200);
      expect(details.body.callbacks.map((c: { webhookId: string }) => c.webhookId)).toEqual([ofA.webhookId]);
      expect((await asA.get(`/__admin/submissions/${ofA.correlationId}/images/SELFIE`)).status).toBe(200);
      const timeline = await asA.call('GET', `/submissions/${ofA.correlationId}/timeline`);
      expect(timeline.body.events.map((e: { kind: string }) => e.kind)).toContain('completed');

      const deliveries = (await asA.call('GET', '/callbacks')).body.deliveries;
      expect(deliveries.map((d: { partnerId: string }) => d.partnerId)).toEqual(deliveries.map(() => A));
      expect(deliveries.map((d: { webhookId: string }) => d.webhookId)).toContain(ofA.webhookId);

      const journal = await asA.journal({ limit: 1000 });
      expect(journal.entries.length).toBeGreaterThan(0);
      expect(new Set(journal.entries.map((e) => e.partnerId))).toEqual(new Set([A]));
      // `size` counts A's own entries: the operator's total would tell A how busy B is.
      expect(journal.size).toBe(journal.entries.length);
      expect(journal.size).toBeLessThan((await adminClient(server.url, OPERATOR_TOKEN).journal()).size);
      const namedOwn = await asA.journal({ partner: A, limit: 1000 });
      expect(namedOwn.entries).toEqual(journal.entries);

      // What is no partner's: the catalogue, the provider states, this document.
      for (const path of ['/scenarios', '/provider-states', '/openapi.json']) {
        expect((await asA.call('GET', path)).response.status, path).toBe(200);
      }
    });

    it("partner A's token drives A: its queue, clock, a stuck submission, a redelivery, a provider state", async () => {
      const asA = adminClient(server.url, tokenA);
      const operator = adminClient(server.url, OPERATOR_TOKEN);

      expect((await asA.queueScenario(A, 'review', 2)).body).toEqual({
        clientId: A,
        queue: [{ scenario: 'review', remaining: 2 }],
      });
      expect((await asA.call('GET', `/partners/${A}/scenario-queue`)).body.queue).toHaveLength(1);
      expect((await asA.call('DELETE', `/partners/${A}/scenario-queue`)).response.status).toBe(204);
      expect((await operator.call('GET', `/partners/${A}/scenario-queue`)).body.queue).toEqual([]);

      expect((await asA.freezeClock(A)).body).toMatchObject({ clientId: A, frozen: true });
      expect((await asA.call('GET', `/partners/${A}/clock`)).body).toMatchObject({ frozen: true });
      expect((await operator.call('GET', `/partners/${B}/clock`)).body).toMatchObject({ frozen: false });
      expect((await asA.resetClock(A)).body).toMatchObject({ clientId: A, frozen: false, offsetMs: 0 });

      const stuck = await startFlow(server.url, tokenA, { scenario: 'stuck' });
      const advanced = await asA.advanceSubmission(stuck.id);
      expect(advanced.response.status).toBe(200);
      expect(advanced.body).toMatchObject({ correlationId: stuck.id, status: 'COMPLETED' });

      const redelivered = await asA.call('POST', `/callbacks/${ofA.webhookId}/redeliver`);
      expect(redelivered.response.status).toBe(202);
      expect(redelivered.body).toMatchObject({ webhookId: ofA.webhookId, partnerId: A });
      await expect
        .poll(
          async () =>
            (await operator.call('GET', `/callbacks?correlationId=${ofA.correlationId}`)).body.deliveries[0]
              ?.state,
          { timeout: 10_000 },
        )
        .toBe('delivered');

      // A verifier with A's token names no clientId: the state is set up for A, not for `demo` by default.
      const stated = await asA.call('POST', '/provider-states', {
        state: 'a completed submission',
        params: { outcome: 'Fail' },
      });
      expect(stated.response.status).toBe(200);
      const made = await operator.call('GET', `/submissions/${stated.body.correlationId}`);
      expect(made.body).toMatchObject({ partnerId: A, outcome: 'Fail' });
    });

    it("B's partner id, submission, delivery and journal answer A exactly like unknown ones, byte for byte but the id", async () => {
      const asA = adminClient(server.url, tokenA);
      const unknownSubmission = randomUUID();
      const unknownWebhook = `msg_${randomUUID().replaceAll('-', '')}`;
      type Pair = {
        what: string;
        method: string;
        path: (id: string) => string;
        theirs: string;
        unknown: string;
        body?: unknown;
      };
      const ofPartner = (what: string, method: string, path: Pair['path'], body?: unknown): Pair => ({
        what,
        method,
        path,
        theirs: B,
        unknown: 'nobody',
        body,
      });
      const ofSubmission = (what: string, method: string, path: Pair['path']): Pair => ({
        what,
        method,
        path,
        theirs: ofB.correlationId,
        unknown: unknownSubmission,
      });
      const pairs: Pair[] = [
        ofPartner('partner', 'GET', (id) => `/partners/${id}`),
        ofPartner('clock', 'POST', (id) => `/partners/${id}/clock`, { advanceSeconds: 60 }),
        ofPartner('scenario queue', 'POST', (id) => `/partners/${id}/scenario-queue`, { scenario: 'review' }),
        ofPartner('partner reset', 'POST', (id) => `/partners/${id}/reset`),
        ofPartner('provider state', 'POST', (id) => `/provider-states?clientId=${id}`, {
          state: 'a completed submission',
          params: { outcome: 'Success' },
        }),
        ofPartner('journal filter', 'GET', (id) => `/journal?partner=${id}`),
        ofPartner('journal clear', 'DELETE', (id) => `/journal?partner=${id}`),
        ofPartner('submission filter', 'GET', (id) => `/submissions?partner=${id}`),
        ofPartner('callback filter', 'GET', (id) => `/callbacks?partner=${id}`),
        ofSubmission('submission', 'GET', (id) => `/submissions/${id}`),
        ofSubmission('image', 'GET', (id) => `/submissions/${id}/images/SELFIE`),
        ofSubmission('timeline', 'GET', (id) => `/submissions/${id}/timeline`),
        ofSubmission('advance', 'POST', (id) => `/submissions/${id}/advance`),
        ofSubmission('submission by id', 'GET', (id) => `/submissions?correlationId=${id}`),
        ofSubmission('callbacks of a submission', 'GET', (id) => `/callbacks?correlationId=${id}`),
        {
          what: 'redelivery',
          method: 'POST',
          path: (id) => `/callbacks/${id}/redeliver`,
          theirs: ofB.webhookId,
          unknown: unknownWebhook,
        },
      ];
      for (const { what, method, path, theirs, unknown, body } of pairs) {
        const [forTheirs, forUnknown] = [
          await asA.raw(method, path(theirs), body),
          await asA.raw(method, path(unknown), body),
        ];
        expect(forTheirs.response.status, what).toBe(forUnknown.response.status);
        expect(forTheirs.response.headers.get('content-type'), what).toBe(
          forUnknown.response.headers.get('content-type'),
        );
        expect(forTheirs.text.replaceAll(theirs, '<id>'), what).toBe(
          forUnknown.text.replaceAll(unknown, '<id>'),
        );
        // …and nothing in it names B but the id A sent (a 404 lists only the partners A may name).
        expect(forTheirs.text.replaceAll(theirs, '<id>'), what).not.toContain(B);
        if (forTheirs.response.status !== 200) {
          expect(JSON.parse(forTheirs.text).code, what).toMatch(/-not-found$/);
        }
      }
      // Nothing of B's was touched by any of those.
      const operator = adminClient(server.url, OPERATOR_TOKEN);
      expect((await operator.call('GET', `/submissions/${ofB.correlationId}`)).response.status).toBe(200);
      expect((await operator.call('GET', `/partners/${B}/clock`)).body.offsetMs).toBe(0);
      expect((await operator.call('GET', `/partners/${B}/scenario-queue`)).body.queue).toEqual([]);
      expect((await operator.journal({ partner: B })).entries.length).toBeGreaterThan(0);
    });

    it('what spans every partner (reset everything, /metrics) answers a partner 403 operator-only, naming its own way', async () => {
      const asA = adminClient(server.url, tokenA);
      const reset = await asA.call('POST', '/reset');
      expect(reset.response.status).toBe(403);
      expect(reset.response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(reset.body).toMatchObject({
        code: 'operator-only',
        status: 403,
        detail: expect.stringContaining(`POST /__admin/partners/${A}/reset`),
      });
      const metrics = await asA.get('/metrics');
      expect(metrics.status).toBe(403);
      expect(await metrics.json()).toMatchObject({
        code: 'operator-only',
        detail: expect.stringContaining('GET /__admin/journal'),
      });
      // Refused before anything happened.
      const operator = adminClient(server.url, OPERATOR_TOKEN);
      expect((await operator.call('GET', `/submissions/${ofB.correlationId}`)).response.status).toBe(200);
    });

    it("the event stream carries only A's changes to A, whatever partner it names", async () => {
      const headers = (token: string) => ({ authorization: `Bearer ${token}` });
      const mine = await openEventStream(`${server.url}/__admin/events`, headers(tokenA));
      const namingB = await openEventStream(`${server.url}/__admin/events?partner=${B}`, headers(tokenA));
      const everyone = await openEventStream(`${server.url}/__admin/events`, headers(OPERATOR_TOKEN));
      try {
        expect(mine.response.status).toBe(200);
        await mine.next((m) => m.event === 'ready', 'ready');
        await namingB.next((m) => m.event === 'ready', 'ready');
        await everyone.next((m) => m.event === 'ready', 'ready');
        expect(mine.messages[0]?.data).toEqual({ kind: 'ready', partnerId: A });

        // B first: had anything of B's reached A's stream, it would be there before A's own change.
        const flowB = await startFlow(server.url, tokenB, { referenceId: 'stream-b' });
        await everyone.next((m) => m.data.correlationId === flowB.id, "B's change on the operator's stream");
        const flowA = await startFlow(server.url, tokenA, { referenceId: 'stream-a' });
        await mine.next((m) => m.data.correlationId === flowA.id, "A's change on A's stream");
        await everyone.next((m) => m.data.correlationId === flowA.id, "A's change on the operator's stream");

        const changes = mine.messages.filter((m) => m.event !== 'ready');
        expect(changes.length).toBeGreaterThan(0);
        expect(new Set(changes.map((m) => m.data.partnerId))).toEqual(new Set([A]));
        expect(mine.messages.some((m) => m.data.correlationId === flowB.id)).toBe(false);
        expect(namingB.messages.map((m) => m.event)).toEqual(['ready']);
        expect(everyone.messages.map((m) => m.data.partnerId)).toEqual(expect.arrayContaining([A, B]));
      } finally {
        await Promise.all([mine.close(), namingB.close(), everyone.close()]);
      }
    });

    it('refuses no token, a wrong one, a forged partner token and an expired one, 401 saying what to send', async () => {
      const refused = async (token: string | undefined, what: string) => {
        const response = await adminClient(server.url, token).get('/__admin/submissions');
        expect(response.status, what).toBe(401);
        expect(response.headers.get('www-authenticate'), what).toMatch(
          /^Bearer realm="facematch-mock admin"/,
        );
        const problem = await response.json();
        expect(problem.code, what).toBe('admin-token-required');
        return problem.detail as string;
      };
      expect(await refused(undefined, 'no token')).toMatch(
        /operator token.*partner access token.*POST \/v1\/oauth\/token/,
      );
      expect(await refused('not-the-operator-token-at-all', 'wrong token')).toMatch(
        /does not match the operator token/,
      );
      const [header, payload] = tokenA.split('.');
      expect(await refused(`${header}.${payload}.AAAA`, 'forged token')).toMatch(/signature/);

      // Expiry is on the partner's own clock, as in the partner API: past its lifetime A's token is refused.
      const operator = adminClient(server.url, OPERATOR_TOKEN);
      const ttl = (await operator.call('GET', `/partners/${A}`)).body.tokenTtlSeconds as number;
      expect((await operator.advanceClock(A, ttl + 60)).response.status).toBe(200);
      try {
        expect(await refused(tokenA, 'expired token')).toMatch(new RegExp(`partner ${A} has expired`));
        // B's clock did not move: B's token still works.
        expect((await adminClient(server.url, tokenB).whoami()).partner?.clientId).toBe(B);
      } finally {
        expect((await operator.resetClock(A)).response.status).toBe(200);
      }
      expect((await adminClient(server.url, tokenA).whoami()).role).toBe('partner');
    });

    it("A's partner reset clears A's state only", async () => {
      const asA = adminClient(server.url, tokenA);
      const operator = adminClient(server.url, OPERATOR_TOKEN);
      const cleared = await asA.clearJournal();
      expect(cleared.response.status).toBe(200);
      expect(cleared.body.cleared).toBeGreaterThan(0);
      expect((await operator.journal({ partner: B })).entries.length).toBeGreaterThan(0);

      const reset = await asA.call('POST', `/partners/${A}/reset`);
      expect(reset.response.status).toBe(200);
      expect(reset.body).toMatchObject({ partner: A });
      expect(reset.body.removed.submissions).toBeGreaterThan(0);
      expect((await asA.call('GET', '/submissions')).body.submissions).toEqual([]);
      expect((await operator.call('GET', `/submissions/${ofA.correlationId}`)).response.status).toBe(404);
      expect((await operator.call('GET', `/submissions/${ofB.correlationId}`)).response.status).toBe(200);
    });
  },
);

describe('the open admin API (no operator token), unchanged', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers a request with no token, or an unknown one, as the operator, as before', async () => {
    const flowB = await startFlow(server.url, await server.token(DEMO_2), { referenceId: 'open-b' });
    for (const token of [undefined, 'whatever-the-client-sends']) {
      const client = adminClient(server.url, token);
      expect(await client.whoami()).toEqual({ role: 'operator', partner: null, authenticatedBy: 'open' });
      expect((await client.call('GET', `/submissions/${flowB.id}`)).response.status).toBe(200);
      expect((await client.call('GET', '/partners')).body.partners.length).toBeGreaterThan(1);
      expect((await client.get('/metrics')).status).toBe(200);
    }
  });

  it("still scopes a partner's own access token to that partner", async () => {
    const flowB = await startFlow(server.url, await server.token(DEMO_2), { referenceId: 'open-b-2' });
    const asA = adminClient(server.url, await server.token(DEMO));
    expect((await asA.whoami()).role).toBe('partner');
    expect((await asA.call('GET', `/submissions/${flowB.id}`)).response.status).toBe(404);
    expect((await asA.call('POST', '/reset')).response.status).toBe(403);
  });
});
