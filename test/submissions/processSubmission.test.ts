import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readFixture } from '../../fixtures/index.ts';
import { createMemoryObjectStore } from '../../src/bucket/memoryObjectStore.ts';
import { DEFAULT_THRESHOLDS } from '../../src/domain/outcome.ts';
import type { Submission } from '../../src/domain/Submission.ts';
import { createScenarioQueue } from '../../src/scenarios/createScenarioQueue.ts';
import { createScenarioRuntime } from '../../src/scenarios/createScenarioRuntime.ts';
import { createScenarioService } from '../../src/scenarios/createScenarioService.ts';
import { loadScenarioCatalogue } from '../../src/scenarios/ScenarioCatalogue.ts';
import { createFixtureEngine } from '../../src/scoring/fixture/createFixtureEngine.ts';
import { createMemoryRecordStore } from '../../src/store/RecordStore.ts';
import { confirmSubmission } from '../../src/submissions/confirmSubmission.ts';
import { createProcessingQueue } from '../../src/submissions/createProcessingQueue.ts';
import type { FlowDeps } from '../../src/submissions/FlowDeps.ts';
import { processSubmission } from '../../src/submissions/processSubmission.ts';
import { startSubmission } from '../../src/submissions/startSubmission.ts';
import { createTestClock } from '../../src/time/createTestClock.ts';

function flow(): FlowDeps & { objects: ReturnType<typeof createMemoryObjectStore> } {
  const submissions = createMemoryRecordStore<Submission>();
  const engine = createFixtureEngine();
  const clock = createTestClock();
  const scenarios = createScenarioService({
    catalogue: loadScenarioCatalogue(),
    queue: createScenarioQueue(),
    runtime: createScenarioRuntime(),
    submissions,
  });
  return {
    submissions,
    objects: createMemoryObjectStore(),
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
    clockFor: () => clock,
    chooseScenario: (request) => scenarios.choose(request),
    scenarioOf: (submission) => scenarios.of(submission),
    scenarioRuntime: scenarios.runtime,
    callbacks: { deliveryCount: async () => 0, dispatch: async () => undefined },
    newCorrelationId: () => 'c-1',
    uploadUrlTtlSeconds: 900,
    processingDelayMs: 0,
    onError: () => undefined,
  };
}

async function put(deps: ReturnType<typeof flow>, key: string, bytes: Buffer) {
  const etag = `"${createHash('md5').update(bytes).digest('hex')}"`;
  await deps.objects.put(key, bytes, { contentType: 'image/png', etag });
}

describe('processSubmission', () => {
  it('scores the confirmed images, and refuses to score images that changed after confirm', async () => {
    for (const tamper of [false, true]) {
      const deps = flow();
      const queue = createProcessingQueue(async () => undefined, 1);
      await startSubmission(deps, 'demo', {});
      await put(deps, 'uploads/c-1/SELFIE', await readFixture('success-selfie'));
      await put(deps, 'uploads/c-1/DOCUMENT', await readFixture('document'));
      expect((await confirmSubmission(deps, queue, 'demo', 'c-1')).kind).toBe('started');
      if (tamper) await put(deps, 'uploads/c-1/SELFIE', await readFixture('fail-selfie'));
      await processSubmission(deps, 'c-1');
      const result = deps.submissions.get('c-1');
      if (tamper) {
        expect(result).toMatchObject({ status: 'FAILED', result: { score: 0, outcome: 'ERROR' } });
        expect(result?.result?.reasons[0]?.message).toMatch(/SELFIE image changed after confirm/);
      } else {
        expect(result).toMatchObject({ status: 'COMPLETED', result: { score: 92, outcome: 'Success' } });
      }
    }
  });
});
