import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminClient } from '../support/adminClient.ts';
import { partnerClient } from '../support/partnerClient.ts';
import { startReceiver } from '../support/receiver.ts';
import { startFlow } from '../support/runFlow.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

// The points fixtures/generate.ts drew on success-selfie.png and document.jpg.
const SELFIE_LANDMARKS = [
  { name: 'leftEye', x: 99.5, y: 123.8 },
  { name: 'rightEye', x: 140.5, y: 123.8 },
  { name: 'noseTip', x: 115.7, y: 147 },
  { name: 'leftMouthCorner', x: 95.7, y: 162.6 },
  { name: 'rightMouthCorner', x: 144.3, y: 162.6 },
];

describe('the engine analysis and score bands on the admin submission', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      partners: [
        {
          clientId: 'demo',
          clientSecret: 'demo-secret',
          webhookSecret: 'whsec_ZGVtby13ZWJob29rLXNlY3JldC0wMTIzNDU2Nzg5',
          thresholds: { success: 85, review: 72 },
          tokenTtlSeconds: 3600,
        },
      ],
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('shows both images’ face boxes and landmarks to the operator, never to the partner', async () => {
    const admin = adminClient(server.url);
    const flow = await startFlow(server.url, await server.token(), { confirm: false });

    // Before scoring: no analysis yet, and the bar can already be drawn with the partner's bands.
    const waiting = await admin.submission(flow.id);
    expect(waiting.response.status).toBe(200);
    expect(waiting.body.analysis).toBeNull();
    expect(waiting.body.thresholds).toEqual({ success: 85, review: 72, source: 'partner' });

    await flow.client.confirm(flow.id);
    await flow.client.pollUntilFinished(flow.id);
    const { body } = await admin.submission(flow.id);
    expect(body.score).toBe(92);
    expect(body.thresholds).toEqual({ success: 85, review: 72, source: 'result' });
    expect(body.analysis).toEqual({
      engine: 'fixture@1',
      selfie: {
        width: 240,
        height: 300,
        facesFound: 1,
        face: {
          box: { x: 66, y: 64, width: 108, height: 136 },
          confidence: 0.99,
          sizePx: 108,
          // The fixture engine measures no quality: said as null, not left out.
          quality: null,
          landmarks: SELFIE_LANDMARKS,
        },
      },
      document: expect.objectContaining({ width: 400, height: 252, facesFound: 1 }),
    });
    const documentFace = body.analysis.document.face;
    expect(documentFace.landmarks).toHaveLength(5);
    for (const point of documentFace.landmarks) {
      expect(point.x).toBeGreaterThanOrEqual(documentFace.box.x);
      expect(point.x).toBeLessThanOrEqual(documentFace.box.x + documentFace.box.width);
      expect(point.y).toBeGreaterThanOrEqual(documentFace.box.y);
      expect(point.y).toBeLessThanOrEqual(documentFace.box.y + documentFace.box.height);
    }
    // The admin result is the partner's, field for field.
    const details = await flow.client.details(flow.id);
    expect(details.response.status).toBe(200);
    expect(body.result).toEqual(details.body.result);
    expect(JSON.stringify(details.body)).not.toContain('landmarks');
    expect(body.result.thresholds).toEqual({ success: 85, review: 72 });
  });
});

describe('records written before landmarks and callback excerpts were kept', () => {
  let dataDir: string;
  let server: TestServer | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'facematch-analysis-'));
    receiver = await startReceiver(() => 204);
  });
  afterAll(async () => {
    await server?.stop();
    await receiver?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('still load from the data dir: landmarks and the new attempt fields read as absent', async () => {
    server = await startTestServer({ dataDir });
    const flow = await startFlow(server.url, await server.token(), { callbackUrl: receiver.url });
    await flow.client.pollUntilFinished(flow.id);
    await server.composed.idle();
    await server.stop();
    server = undefined;

    // Rewrite the records as the previous version wrote them: no landmarks, attempts with
    // at/durationMs/ok/statusCode only.
    const submissionsDir = join(dataDir, 'store', 'submissions');
    let attempts = 0;
    for (const file of readdirSync(submissionsDir).filter((f) => f.endsWith('.json'))) {
      const doc = JSON.parse(readFileSync(join(submissionsDir, file), 'utf8'));
      for (const analysis of Object.values(doc.submission.result?.faces ?? {}) as Array<{
        face: { landmarks?: unknown } | null;
      } | null>) {
        if (analysis?.face) delete analysis.face.landmarks;
      }
      doc.delivery.attempts = doc.delivery.attempts.map(
        ({ at, durationMs, ok, statusCode }: Record<string, unknown>) => {
          attempts += 1;
          return { at, durationMs, ok, statusCode };
        },
      );
      writeFileSync(join(submissionsDir, file), JSON.stringify(doc));
    }
    expect(attempts).toBe(1);

    server = await startTestServer({ dataDir });
    const admin = adminClient(server.url);
    const { response, body } = await admin.submission(flow.id);
    expect(response.status).toBe(200);
    expect(body.analysis.selfie.face.landmarks).toBeNull();
    expect(body.analysis.selfie.face.box).toEqual({ x: 66, y: 64, width: 108, height: 136 });
    expect(body.thresholds).toEqual({ success: 80, review: 70, source: 'result' });
    expect(body.callbacks[0].attempts).toEqual([
      { at: expect.any(String), durationMs: expect.any(Number), ok: true, statusCode: 204 },
    ]);
    expect((await admin.call('GET', `/callbacks?correlationId=${flow.id}`)).response.status).toBe(200);
    const partner = partnerClient(server.url, await server.token());
    const details = await partner.details(flow.id);
    expect(details.response.status).toBe(200);
    expect(details.body.result?.faces.selfie?.face?.box).toEqual({ x: 66, y: 64, width: 108, height: 136 });
    expect((await partner.callbacks(flow.id)).response.status).toBe(200);
  });
});
