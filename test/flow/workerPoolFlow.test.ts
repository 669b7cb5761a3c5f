import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOnnxModelSetAvailable } from '../../src/scoring/onnx/isOnnxModelSetAvailable.ts';
import { createWorkerPoolEngine, type WorkerPoolEngine } from '../../src/scoring/onnx/workerPoolEngine.ts';
import { demoSample, portrait } from '../scoring/support/partnerImages.ts';
import { partnerClient } from '../support/partnerClient.ts';
import { startTestServer, type TestServer } from '../support/testServer.ts';
import { waitFor } from '../support/waitFor.ts';

const CRASHABLE_WORKER = new URL('../scoring/support/crashableEngineWorker.mjs', import.meta.url);

// The server as `serve --engine onnx` runs it (a pool of inference workers), with a pool the test
// built so it can crash a real worker thread mid-work.
const modelsReady = isOnnxModelSetAvailable();
let server: TestServer;
let engine: WorkerPoolEngine;
const started: Worker[] = [];
beforeAll(async () => {
  if (!modelsReady) return;
  engine = await createWorkerPoolEngine({
    workers: 1,
    startWorker: (_file, options) => {
      const worker = new Worker(CRASHABLE_WORKER, options);
      started.push(worker);
      return worker;
    },
  });
  server = await startTestServer({ engine: 'onnx' }, { engine });
});
afterAll(async () => {
  await server?.stop();
});

/** Create, upload both, confirm: the job is then queued for scoring. */
async function confirmedFlow(selfie: Buffer, document: Buffer) {
  const client = partnerClient(server.url, await server.token());
  const created = await client.createSubmission({ documentType: 'KTP', selfieContentType: 'image/jpeg' });
  expect((await client.upload(client.uploadFor(created.body, 'SELFIE'), selfie)).status).toBe(200);
  expect((await client.upload(client.uploadFor(created.body, 'DOCUMENT'), document)).status).toBe(200);
  expect((await client.confirm(created.body.correlationId)).response.status).toBe(202);
  return { client, id: created.body.correlationId };
}

describe.skipIf(!modelsReady)('the server scoring on a pool of inference workers, over HTTP', () => {
  it('scores a real pair through the flow and answers status polls while the comparison is in flight', async () => {
    // A full-size photo against a document portrait: a comparison long enough to poll during.
    const { client, id } = await confirmedFlow(demoSample(2), await portrait('sample2', { side: 200 }));
    await waitFor(() => engine.load().running === 1, 'the comparison to reach a worker', 20_000);
    const answeredDuringScoring: string[] = [];
    while (engine.load().running > 0) {
      const { response, body } = await client.status(id);
      expect(response.status).toBe(200);
      // Counted only if the comparison was still running once the answer was in.
      if (engine.load().running > 0) answeredDuringScoring.push(body.status);
    }
    expect(answeredDuringScoring.length).toBeGreaterThan(0);
    expect(new Set(answeredDuringScoring)).toEqual(new Set(['PROCESSING']));
    await client.pollUntilFinished(id, 30_000);
    expect((await client.details(id)).body.result).toMatchObject({ outcome: 'Success', reasons: [] });
    expect(server.log.join('')).toMatch(/engine: onnx on 1 worker thread/);
  });

  it('answers ENGINE_ERROR for the job a crashed worker held, and scores the next job on its replacement', async () => {
    const selfie = await portrait('sample2', { side: 640 });
    const document = await portrait('sample2', { side: 200, quality: 50 });
    const killed = await confirmedFlow(selfie, document);
    await waitFor(() => engine.load().running === 1, 'the comparison to reach a worker', 20_000);
    (started.at(-1) as Worker).postMessage({ crash: 'simulated crash in the pipeline' });
    expect((await killed.client.pollUntilFinished(killed.id, 30_000)).status).toBe('FAILED');
    expect((await killed.client.details(killed.id)).body.result).toMatchObject({
      score: 0,
      outcome: 'ERROR',
      reasons: [
        expect.objectContaining({
          code: 'ENGINE_ERROR',
          message: expect.stringMatching(
            /inference worker scoring this comparison stopped \(simulated crash in the pipeline\)/,
          ),
        }),
      ],
    });
    const next = await confirmedFlow(selfie, document);
    await next.client.pollUntilFinished(next.id, 30_000);
    expect((await next.client.details(next.id)).body.result).toMatchObject({ outcome: 'Success' });
    expect(engine.load().restarts).toBe(1);
    expect((await fetch(`${server.url}/readyz`, { signal: AbortSignal.timeout(5000) })).status).toBe(200);
    // An operator sees the restart and the pool back at full strength on /metrics.
    const metrics = await (
      await fetch(`${server.url}/metrics`, { signal: AbortSignal.timeout(5000) })
    ).text();
    expect(metrics).toMatch(/^facematch_inference_worker_restarts_total 1$/m);
    expect(metrics).toMatch(/^facematch_inference_workers_ready 1$/m);
    expect(metrics).toMatch(/^facematch_inference_comparisons\{state="waiting"\} 0$/m);
  });
});
