import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { readFixture } from '../../fixtures/index.ts';
import { newWebhookId } from '../../src/callbacks/webhookId.ts';
import { DEFAULT_THRESHOLDS } from '../../src/domain/outcome.ts';
import { createScenarioService } from '../../src/scenarios/createScenarioService.ts';
import { loadScenarioCatalogue } from '../../src/scenarios/ScenarioCatalogue.ts';
import { createFixtureEngine } from '../../src/scoring/fixture/createFixtureEngine.ts';
import type { ImageRole } from '../../src/scoring/ScoringEngine.ts';
import { createMemoryStore } from '../../src/store/memory/createMemoryStore.ts';
import type { SandboxStore, SubmissionStore } from '../../src/store/SandboxStore.ts';
import { StorageError } from '../../src/store/StorageError.ts';
import { confirmSubmission } from '../../src/submissions/confirmSubmission.ts';
import type { FlowDeps } from '../../src/submissions/FlowDeps.ts';
import { processSubmission } from '../../src/submissions/processSubmission.ts';
import { startSubmission } from '../../src/submissions/startSubmission.ts';
import { uploadedImages } from '../../src/submissions/uploadedImages.ts';
import { uploadKey } from '../../src/submissions/uploadKey.ts';
import { createPartnerClocks } from '../../src/time/PartnerClocks.ts';
import { callbackTargets } from '../support/callbackTargets.ts';

const WEBHOOK_SECRET = 'whsec_ZGVtby13ZWJob29rLXNlY3JldC0wMTIzNDU2Nzg5';
const IMAGE_SECONDS = 3600;

const stores: SandboxStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

/** The flow on a real memory store, with the fixture engine; wall time is settable (retention reads it). */
async function flow(options: { submissions?: (real: SubmissionStore) => SubmissionStore } = {}) {
  let wall = Date.now();
  const store = await createMemoryStore({
    retention: { imageSeconds: IMAGE_SECONDS, submissionSeconds: 86_400 },
    journalCapacity: 100,
    initialClock: 'real',
    now: () => new Date(wall),
  });
  stores.push(store);
  const engine = createFixtureEngine();
  const scenarios = createScenarioService({ catalogue: loadScenarioCatalogue(), store });
  const errors: string[] = [];
  const deps: FlowDeps = {
    store: { ...store, submissions: options.submissions?.(store.submissions) ?? store.submissions },
    engineFor: () => engine,
    engineName: engine.name,
    presign: (imageType, key, contentType, expiresAt) => ({
      imageType,
      url: `http://127.0.0.1/bucket/${key}`,
      method: 'PUT',
      headers: { 'Content-Type': contentType },
      expiresAt: expiresAt.toISOString(),
    }),
    thresholdsFor: () => DEFAULT_THRESHOLDS,
    defaultCallbackUrl: () => null,
    webhookSecretFor: (partnerId) => (partnerId === 'demo' ? WEBHOOK_SECRET : undefined),
    clocks: createPartnerClocks({
      clocks: store.clocks,
      work: store.work,
      wallNow: () => wall,
      warn: () => undefined,
    }),
    chooseScenario: (request) => scenarios.choose(request),
    scenarioOf: (submission) => scenarios.of(submission),
    newCorrelationId: () => 'c-1',
    newWebhookId,
    uploadUrlTtlSeconds: 900,
    processingDelayMs: 0,
    callbacks: { retryScheduleMs: [], timeoutMs: 1000, checkTarget: callbackTargets() },
    onError: (context, error) => errors.push(`${context}: ${(error as Error).message}`),
  };
  return {
    deps,
    store,
    errors,
    passWallTime: (ms: number) => {
      wall += ms;
    },
  };
}

const etagOf = (bytes: Buffer) => `"${createHash('md5').update(bytes).digest('hex')}"`;

/** Uploaded through the bucket's object store, as a partner's PUT is, then confirmed. */
async function uploadAndConfirm(deps: FlowDeps, store: SandboxStore, callbackUrl?: string) {
  const started = await startSubmission(deps, 'demo', callbackUrl ? { callbackUrl } : {});
  expect(started.kind).toBe('started');
  const bucket = uploadedImages(store.submissions);
  const images: Record<ImageRole, Buffer> = {
    SELFIE: await readFixture('success-selfie'),
    DOCUMENT: await readFixture('document'),
  };
  for (const [role, bytes] of Object.entries(images) as Array<[ImageRole, Buffer]>) {
    expect(
      await bucket.put(uploadKey('c-1', role), bytes, { contentType: 'image/png', etag: etagOf(bytes) }),
    ).toBe('stored');
  }
  expect((await confirmSubmission(deps, 'demo', 'c-1')).kind).toBe('started');
}

describe('processSubmission', () => {
  it('scores the images that were confirmed', async () => {
    const { deps, store, errors } = await flow();
    await uploadAndConfirm(deps, store);
    await processSubmission(deps, 'c-1');
    expect(await store.submissions.get('c-1')).toMatchObject({
      status: 'COMPLETED',
      processDueAt: null,
      result: { score: 92, outcome: 'Success', reasons: [] },
    });
    expect(errors).toEqual([]);
  });

  it('a store out of reach while scoring rejects the run and records nothing; the next run scores it', async () => {
    let unreachable = true;
    const { deps, store, errors } = await flow({
      submissions: (real) => ({
        ...real,
        async image(correlationId, role) {
          if (unreachable)
            throw new StorageError(
              'PostgreSQL could not be reached (submissions.image)',
              new Error('too many clients'),
            );
          return real.image(correlationId, role);
        },
      }),
    });
    await uploadAndConfirm(deps, store);
    await expect(processSubmission(deps, 'c-1')).rejects.toBeInstanceOf(StorageError);
    // Not FAILED: the partner is never told its submission failed because the database blinked.
    expect(await store.submissions.get('c-1')).toMatchObject({ status: 'PROCESSING', result: null });
    expect(await store.deliveries.list({ correlationId: 'c-1' })).toEqual([]);
    unreachable = false;
    await processSubmission(deps, 'c-1');
    expect(await store.submissions.get('c-1')).toMatchObject({ status: 'COMPLETED', result: { score: 92 } });
    expect(errors).toEqual([]);
  });

  it.each(['SELFIE', 'DOCUMENT'] as const)(
    'refuses to score a %s image that changed after confirm: FAILED with ENGINE_ERROR naming it',
    async (role) => {
      const other = await readFixture('fail-selfie');
      // The store locks an image once its submission is confirmed (putImage answers `locked`, by
      // design), so no upload can change it any more. The check in processSubmission guards against
      // a store that breaks that rule, or bytes that changed underneath it; to reach it, this
      // wrapper serves other bytes (with their own ETag) for one role, as such a store would.
      const { deps, store, errors } = await flow({
        submissions: (real) => ({
          ...real,
          async image(correlationId, asked) {
            const image = await real.image(correlationId, asked);
            return image && asked === role
              ? { ...image, bytes: other, etag: etagOf(other), size: other.length }
              : image;
          },
        }),
      });
      await uploadAndConfirm(deps, store);
      await processSubmission(deps, 'c-1');

      const failed = await store.submissions.get('c-1');
      expect(failed).toMatchObject({
        status: 'FAILED',
        result: { score: 0, outcome: 'ERROR', reasons: [{ code: 'ENGINE_ERROR' }] },
      });
      expect(failed?.result?.reasons[0]?.message).toMatch(
        new RegExp(`^The comparison could not be run: the ${role} image changed after confirm \\("`),
      );
      expect(errors).toEqual([expect.stringMatching(new RegExp(`^scoring c-1: the ${role} image changed`))]);
    },
  );

  it('fails, saying so, when a confirmed image expired before it was scored', async () => {
    const { deps, store, passWallTime } = await flow();
    await uploadAndConfirm(deps, store);
    passWallTime((IMAGE_SECONDS + 1) * 1000);
    await processSubmission(deps, 'c-1');
    const failed = await store.submissions.get('c-1');
    expect(failed).toMatchObject({ status: 'FAILED', result: { outcome: 'ERROR' } });
    expect(failed?.result?.reasons[0]?.message).toMatch(/an uploaded image is no longer in the bucket/);
  });

  it('finishes a submission once, with one completion delivery, however often it runs', async () => {
    const { deps, store } = await flow();
    await uploadAndConfirm(deps, store, 'https://partner.example/callbacks');
    await Promise.all([processSubmission(deps, 'c-1'), processSubmission(deps, 'c-1')]);
    await processSubmission(deps, 'c-1');
    const finished = await store.submissions.get('c-1');
    expect(finished?.status).toBe('COMPLETED');
    const deliveries = await store.deliveries.list({ correlationId: 'c-1' });
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ state: 'pending', url: 'https://partner.example/callbacks' });
    expect(JSON.parse(deliveries[0]?.body ?? '{}')).toMatchObject({
      type: 'submission.completed',
      data: { correlationId: 'c-1', status: 'COMPLETED' },
    });
  });

  it('leaves a submission alone before it is due, or once its shutdown signal is given', async () => {
    const { deps, store } = await flow();
    deps.processingDelayMs = 60_000;
    await uploadAndConfirm(deps, store);
    await processSubmission(deps, 'c-1');
    expect((await store.submissions.get('c-1'))?.status).toBe('PROCESSING');

    await store.submissions.dueProcessing('c-1', await deps.clocks.now('demo'));
    const stopped = new AbortController();
    stopped.abort();
    await processSubmission(deps, 'c-1', stopped.signal);
    expect((await store.submissions.get('c-1'))?.status).toBe('PROCESSING');
    await processSubmission(deps, 'c-1');
    expect((await store.submissions.get('c-1'))?.status).toBe('COMPLETED');
  });
});
