import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_PAIRS, devSetPresent, readPairsFile } from '../../bench/scoring/devPairs.ts';
import { readFixture } from '../../fixtures/index.ts';
import { isOnnxModelSetAvailable } from '../../src/scoring/onnx/isOnnxModelSetAvailable.ts';
import { gradientPng, portrait, truncatedJpeg } from '../scoring/support/partnerImages.ts';
import { adminClient } from '../support/adminClient.ts';
import { partnerClient } from '../support/partnerClient.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';

const modelsReady = isOnnxModelSetAvailable();
if (!modelsReady)
  console.warn('skipping onnx flow tests: run `npm run models` (npm install does) to convert the models');

let server: TestServer;
beforeAll(async () => {
  if (modelsReady) server = await startTestServer({ engine: 'onnx' });
});
afterAll(async () => {
  await server?.stop();
});

/** One whole partner flow over HTTP; returns the details' result. */
async function matchOverHttp(
  selfie: Buffer,
  document: Buffer,
  request: Parameters<ReturnType<typeof partnerClient>['createSubmission']>[0] = { documentType: 'KTP' },
) {
  const client = partnerClient(server.url, await server.token());
  const created = await client.createSubmission(request);
  expect((await client.upload(client.uploadFor(created.body, 'SELFIE'), selfie)).status).toBe(200);
  expect((await client.upload(client.uploadFor(created.body, 'DOCUMENT'), document)).status).toBe(200);
  expect((await client.confirm(created.body.correlationId)).response.status).toBe(202);
  await client.pollUntilFinished(created.body.correlationId, 60_000);
  const { body } = await client.details(created.body.correlationId);
  return body.result;
}

describe.skipIf(!modelsReady)('the server with --engine onnx, over HTTP', () => {
  it('reports the engine it scores with', async () => {
    expect(((await (await fetch(`${server.url}/readyz`)).json()) as { engine: string }).engine).toBe('onnx');
  });

  it('gives Success for one person (selfie vs a small grey document portrait) and Fail for two', async () => {
    const same = await matchOverHttp(
      await portrait('sample2', { side: 640 }),
      await portrait('sample2', { side: 160, quality: 40, grayscale: true }),
    );
    expect(same).toMatchObject({ outcome: 'Success' });
    expect(same?.faces.selfie?.face?.sizePx).toBeGreaterThan(0);
    const different = await matchOverHttp(await portrait('sample2'), await portrait('sample4'));
    expect(different).toMatchObject({ outcome: 'Fail' });
    expect(different?.score).toBeGreaterThan(0);
  });

  it('shows the operator both faces’ landmarks and quality figures in upload pixels; the partner sees none', async () => {
    const client = partnerClient(server.url, await server.token());
    const created = await client.createSubmission({ documentType: 'KTP' });
    const id = created.body.correlationId;
    // The document is a 66 px portrait: the engine enlarges it before it finds the landmarks.
    const document = await portrait('sample1', { side: 66 });
    expect(
      (await client.upload(client.uploadFor(created.body, 'SELFIE'), await portrait('sample1'))).status,
    ).toBe(200);
    expect((await client.upload(client.uploadFor(created.body, 'DOCUMENT'), document)).status).toBe(200);
    await client.confirm(id);
    await client.pollUntilFinished(id, 60_000);
    const { body } = await adminClient(server.url).submission(id);
    expect(body.analysis.engine).toMatch(/^onnx\//);
    for (const image of [body.analysis.selfie, body.analysis.document]) {
      const face = image.face;
      expect(face.quality).toEqual({ sharpness: expect.any(Number), brightness: expect.any(Number) });
      expect(face.landmarks.map((p: { name: string }) => p.name)).toEqual([
        'leftEye',
        'rightEye',
        'noseTip',
        'leftMouthCorner',
        'rightMouthCorner',
      ]);
      for (const p of face.landmarks) {
        expect(p.x).toBeGreaterThanOrEqual(face.box.x);
        expect(p.x).toBeLessThanOrEqual(face.box.x + face.box.width);
        expect(p.y).toBeGreaterThanOrEqual(face.box.y);
        expect(p.y).toBeLessThanOrEqual(face.box.y + face.box.height);
        expect(p.x).toBeLessThanOrEqual(image.width);
        expect(p.y).toBeLessThanOrEqual(image.height);
      }
    }
    expect(body.analysis.document.width).toBeLessThanOrEqual(66);
    const details = await client.details(id);
    expect(JSON.stringify(details.body)).not.toContain('landmarks');
    expect(details.body.result?.faces.document?.face?.box).toEqual(body.analysis.document.face.box);
  });

  it('scores a JPEG 2000 chip portrait (image/jp2) against a selfie of the same person: Success', async () => {
    const chip = await readFixture('chip-portrait');
    const same = await matchOverHttp(await portrait('sample2', { side: 640 }), chip, {
      documentType: 'PASSPORT',
      documentContentType: 'image/jp2',
    });
    expect(same).toMatchObject({ outcome: 'Success', reasons: [] });
    expect(same?.faces.document).toMatchObject({ width: 240, height: 320, facesFound: 1 });
    const different = await matchOverHttp(await portrait('sample4'), chip, {
      documentType: 'PASSPORT',
      documentContentType: 'image/jp2',
    });
    expect(different).toMatchObject({ outcome: 'Fail' });
  });

  it('answers a truncated JPEG 2000 document with ERROR / UNREADABLE_IMAGE naming the cut', async () => {
    const chip = await readFixture('chip-portrait');
    const result = await matchOverHttp(await portrait('sample2'), chip.subarray(0, 9000), {
      documentContentType: 'image/jp2',
    });
    expect(result).toMatchObject({ score: 0, outcome: 'ERROR' });
    expect(result?.reasons).toEqual([
      expect.objectContaining({
        code: 'UNREADABLE_IMAGE',
        image: 'DOCUMENT',
        message: expect.stringContaining("is truncated: its 'jp2c' box declares"),
      }),
    ]);
  });

  it('answers a picture without a face with score 0 / ERROR and NO_FACE_DOCUMENT', async () => {
    const result = await matchOverHttp(await portrait('sample2'), await gradientPng());
    expect(result).toMatchObject({ score: 0, outcome: 'ERROR' });
    expect(result?.reasons.map((r) => r.code)).toContain('NO_FACE_DOCUMENT');
  });

  it('answers a corrupt image with ERROR / UNREADABLE_IMAGE and keeps serving', async () => {
    const result = await matchOverHttp(await truncatedJpeg(), await portrait('sample2'));
    expect(result).toMatchObject({ score: 0, outcome: 'ERROR' });
    expect(result?.reasons).toContainEqual(
      expect.objectContaining({ code: 'UNREADABLE_IMAGE', image: 'SELFIE' }),
    );
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('answers the synchronous Facematch module with real faces: same person Success, two people Fail, no face 0 / ERROR', async () => {
    const token = await server.token();
    const module = async (selfie: Buffer, anchor: Buffer) => {
      const response = await fetch(`${server.url}/v1/modules/facematch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          resourceId: 'onnx-1',
          context: {
            subject: {
              biometrics: [{ face1Image: selfie.toString('base64'), face2Image: anchor.toString('base64') }],
            },
          },
        }),
        signal: AbortSignal.timeout(60_000),
      });
      expect(response.status).toBe(200);
      return (await response.json()) as { response: { advice: { score: number }; outcome: string } };
    };
    const same = await module(
      await portrait('sample2', { side: 640 }),
      await portrait('sample2', { side: 160, quality: 40, grayscale: true }),
    );
    expect(same.response.outcome).toBe('Success');
    expect(same.response.advice.score).toBeGreaterThanOrEqual(80);
    const different = await module(await portrait('sample2'), await portrait('sample4'));
    expect(different.response.outcome).toBe('Fail');
    expect(different.response.advice.score).toBeGreaterThan(0);
    expect(await module(await gradientPng(), await portrait('sample2'))).toEqual({
      response: { advice: { score: 0 }, outcome: 'ERROR' },
    });
    // An e-passport chip portrait as the anchor, base64 of the JP2 file's bytes.
    const chip = await module(await portrait('sample2', { side: 640 }), await readFixture('chip-portrait'));
    expect(chip.response.outcome).toBe('Success');
    expect(chip.response.advice.score).toBeGreaterThanOrEqual(80);
  });
});

const devReady = modelsReady && devSetPresent();
if (!devReady)
  console.warn(`skipping dev-set flow test: ${DEV_PAIRS} is absent (labelled photos are not in the repo)`);

describe.skipIf(!devReady)('real labelled photos from the dev set, over HTTP', () => {
  it('same person → Success, different people → Fail', async () => {
    const pairs = readPairsFile(DEV_PAIRS);
    const genuine = pairs.filter((p) => p.same === true).slice(0, 3);
    const impostor = pairs.filter((p) => p.same === false).slice(0, 3);
    for (const pair of [...genuine, ...impostor]) {
      expect(existsSync(join(pair.pathA))).toBe(true);
      const result = await matchOverHttp(readFileSync(pair.pathA), readFileSync(pair.pathB));
      expect(result?.outcome, `${pair.a} vs ${pair.b}: score ${result?.score}`).toBe(
        pair.same ? 'Success' : 'Fail',
      );
    }
  });
});
