import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createAdminEvents } from '../../src/admin/events/AdminEvents.ts';
import { eventRoutes } from '../../src/admin/routes/eventRoutes.ts';
import { ADMIN_OPENAPI_PATH } from '../../src/app/projectFiles.ts';
import { adminClient } from '../support/adminClient.ts';
import { openEventStream, type StreamMessage } from '../support/eventStream.ts';
import { startReceiver } from '../support/receiver.ts';
import { startFlow } from '../support/runFlow.ts';
import { DEMO_2, startTestServer, type TestServer } from '../support/testServer.ts';

const ADMIN_TOKEN = 'admin-token-0123456789abcdef';

// The stream is not checked by validateResponses (it never completes), so every message is
// checked here against the document's AdminEvent schema: known members only, of the right type.
const adminEventSchema = (
  parseYaml(readFileSync(ADMIN_OPENAPI_PATH, 'utf8')) as {
    components: {
      schemas: Record<
        string,
        { required: string[]; properties: Record<string, { type: string | string[]; enum?: string[] }> }
      >;
    };
  }
).components.schemas.AdminEvent;

function expectAdminEvent(message: StreamMessage) {
  const schema = adminEventSchema;
  if (!schema) throw new Error('openapi/admin.yaml has no AdminEvent schema');
  expect(message.event).toBe(message.data.kind);
  expect(Number.isInteger(Number(message.id))).toBe(true);
  for (const name of schema.required) expect(message.data, name).toHaveProperty(name);
  for (const [name, value] of Object.entries(message.data)) {
    const property = schema.properties[name];
    expect(property, `AdminEvent has no member ${name}`).toBeDefined();
    const types = [property?.type].flat();
    const actual = value === null ? 'null' : typeof value;
    expect(types, `${name}: ${JSON.stringify(value)}`).toContain(actual);
    if (property?.enum) expect(property.enum).toContain(value);
  }
}

describe('GET /__admin/events behind an admin token', () => {
  let server: TestServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const streams: Array<{ close(): Promise<void> }> = [];
  beforeAll(async () => {
    server = await startTestServer({ admin: { token: ADMIN_TOKEN, journalSize: 1000 } });
    receiver = await startReceiver(() => 204);
  });
  afterEach(async () => {
    await Promise.all(streams.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await server?.stop();
    await receiver?.close();
  });

  async function stream(query = '', token: string | null = ADMIN_TOKEN) {
    const opened = await openEventStream(
      `${server.url}/__admin/events${query}`,
      token ? { authorization: `Bearer ${token}` } : {},
    );
    streams.push(opened);
    return opened;
  }

  it('refuses a request without the token, and never takes one from the query string', async () => {
    const bare = await stream();
    expect(bare.response.status).toBe(200);
    for (const query of ['', `?token=${ADMIN_TOKEN}`, `?access_token=${ADMIN_TOKEN}`]) {
      const refused = await stream(query, null);
      expect(refused.response.status, query).toBe(401);
      expect(refused.response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
  });

  it('announces a flow as it happens: ids and kinds only, each message a valid AdminEvent', async () => {
    const events = await stream();
    expect(events.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(events.response.headers.get('cache-control')).toBe('no-store');
    const ready = await events.next((m) => m.event === 'ready', 'the ready message');
    expect(ready.data).toEqual({ kind: 'ready', partnerId: null });

    const flow = await startFlow(server.url, await server.token(), { callbackUrl: receiver.url });
    await flow.client.pollUntilFinished(flow.id);
    const attempt = await events.next(
      (m) => m.event === 'callback-attempt' && m.data.correlationId === flow.id,
      'the callback attempt',
    );
    const admin = adminClient(server.url, ADMIN_TOKEN);
    // Announced once recorded: a dashboard re-fetching on the message finds the attempt.
    const deliveries = (await admin.call('GET', `/callbacks?correlationId=${flow.id}`)).body.deliveries;
    expect(deliveries.map((d: { webhookId: string }) => d.webhookId)).toEqual([attempt.data.webhookId]);
    expect(deliveries[0].attempts).toHaveLength(1);
    expect(attempt.data).toEqual({
      kind: 'callback-attempt',
      correlationId: flow.id,
      partnerId: 'demo',
      webhookId: attempt.data.webhookId,
    });

    const about = events.messages.filter((m) => m.data.correlationId === flow.id);
    // Created, two uploads, confirmed, completed, callback queued: each a submission change.
    expect(about.filter((m) => m.event === 'submission').length).toBeGreaterThanOrEqual(5);
    const journal = about.filter((m) => m.event === 'journal');
    expect(journal.length).toBeGreaterThanOrEqual(4); // two uploads, confirm, at least one poll
    const page = await admin.journal({ correlationId: flow.id, limit: 1000 });
    for (const message of journal) {
      expect(page.entries.map((e) => e.id)).toContain(message.data.journalId);
    }
    const ids = events.messages.map((m) => Number(m.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    for (const message of events.messages) expectAdminEvent(message);
  });

  it('sends one partner’s changes only with ?partner=', async () => {
    const onlyDemo2 = await stream('?partner=demo-2');
    await onlyDemo2.next((m) => m.event === 'ready', 'the ready message');
    const demo = await startFlow(server.url, await server.token());
    await demo.client.pollUntilFinished(demo.id);
    const other = await startFlow(server.url, await server.token(DEMO_2));
    await other.client.pollUntilFinished(other.id);
    // demo's flow finished first; by the time demo-2's completion is announced, a leak would show.
    await onlyDemo2.next(
      (m) => m.event === 'submission' && m.data.correlationId === other.id && m.data.partnerId === 'demo-2',
      'demo-2’s submission',
    );
    await other.client.details(other.id);
    expect(
      onlyDemo2.messages.filter((m) => m.event !== 'ready').every((m) => m.data.partnerId === 'demo-2'),
    ).toBe(true);
    expect(onlyDemo2.messages.some((m) => m.data.correlationId === demo.id)).toBe(false);
  });
});

describe('the event stream and shutdown', () => {
  it('ends open streams at the start of a graceful drain, so the drain does not wait for them', async () => {
    const server = await startTestServer();
    try {
      const events = await openEventStream(`${server.url}/__admin/events`);
      await events.next((m) => m.event === 'ready', 'the ready message');
      const { drained } = await server.drain();
      expect(drained).toBe(true);
      await events.whenEnded();
      expect(events.ended).toBe(true);
    } finally {
      await server.stop();
    }
  });
});

describe('the event stream’s heartbeat', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it('sends a heartbeat comment while nothing changes, and a message per published change', async () => {
    const hub = createAdminEvents({ heartbeatMs: 20 });
    const app = express().use(eventRoutes({ events: hub }));
    const listening = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => listening.once('listening', () => resolve()));
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          listening.closeAllConnections();
          listening.close(() => resolve());
        }),
    );
    const { port } = listening.address() as AddressInfo;
    const events = await openEventStream(`http://127.0.0.1:${port}/__admin/events`);
    closers.unshift(() => events.close());
    await events.next((m) => m.event === 'ready', 'the ready message');
    const deadline = Date.now() + 10_000;
    while (!events.comments.includes('heartbeat') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(events.comments).toContain('heartbeat');
    hub.publish({ kind: 'journal', journalId: 'req_7', partnerId: null, correlationId: null });
    const message = await events.next((m) => m.event === 'journal', 'the journal message');
    expect(message.data).toEqual({
      kind: 'journal',
      journalId: 'req_7',
      partnerId: null,
      correlationId: null,
    });
    // HEAD answers the stream's headers (and the server ends it: no body-less stream held open).
    const head = await fetch(`http://127.0.0.1:${port}/__admin/events`, {
      method: 'HEAD',
      signal: AbortSignal.timeout(5000),
    });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toMatch(/^text\/event-stream/);

    hub.close();
    await events.whenEnded();

    // Once closed (a drain has begun), a new stream is answered and ended at once.
    const late = await openEventStream(`http://127.0.0.1:${port}/__admin/events`);
    closers.unshift(() => late.close());
    expect(late.response.status).toBe(200);
    await late.whenEnded();
    expect(late.messages).toEqual([]);
  });
});
