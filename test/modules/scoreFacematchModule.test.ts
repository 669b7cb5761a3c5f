import { describe, expect, it } from 'vitest';
import { type FixtureName, readFixture } from '../../fixtures/index.ts';
import { DEFAULT_THRESHOLDS } from '../../src/domain/outcome.ts';
import { scoreFacematchModule } from '../../src/modules/scoreFacematchModule.ts';
import { createFixtureEngine } from '../../src/scoring/fixture/createFixtureEngine.ts';
import type { ScoringEngine } from '../../src/scoring/ScoringEngine.ts';

const fixture = createFixtureEngine();

async function pair(selfie: FixtureName | Buffer, anchor: FixtureName | Buffer = 'document') {
  const read = (image: FixtureName | Buffer) => (Buffer.isBuffer(image) ? image : readFixture(image));
  return { selfie: await read(selfie), anchor: await read(anchor) };
}

function run(pairs: Awaited<ReturnType<typeof pair>>[], engine: ScoringEngine = fixture) {
  const errors: string[] = [];
  const result = scoreFacematchModule(
    { engine, thresholds: DEFAULT_THRESHOLDS, onError: (context) => errors.push(context) },
    pairs,
  );
  return { result, errors };
}

describe('scoreFacematchModule', () => {
  it('answers one pair with its score and the outcome under the thresholds', async () => {
    for (const [selfie, score, outcome] of [
      ['success-selfie', 92, 'Success'],
      ['review-selfie', 74, 'Review'],
      ['fail-selfie', 41, 'Fail'],
      ['no-face-selfie', 0, 'ERROR'],
    ] as const) {
      const result = await run([await pair(selfie)]).result;
      expect(result).toMatchObject({ score, outcome });
    }
  });

  it('uses the thresholds it is given', async () => {
    const result = await scoreFacematchModule(
      { engine: fixture, thresholds: { success: 95, review: 90 }, onError: () => {} },
      [await pair('success-selfie')],
    );
    expect(result).toMatchObject({ score: 92, outcome: 'Review' });
  });

  it('compares every pair and answers with the lowest conclusive score', async () => {
    const { result } = run([
      await pair('success-selfie'),
      await pair('fail-selfie'),
      await pair('review-selfie'),
    ]);
    expect(await result).toMatchObject({
      score: 41,
      outcome: 'Fail',
      decidingItem: 1,
      items: [{ score: 92 }, { score: 41 }, { score: 74 }],
    });
  });

  it('lets no inconclusive pair decide while another could be compared', async () => {
    const corrupt = Buffer.from('not an image');
    const result = await run([
      await pair('no-face-selfie'),
      await pair('review-selfie', corrupt),
      await pair('success-selfie'),
    ]).result;
    expect(result).toMatchObject({ score: 92, outcome: 'Success', decidingItem: 2 });
    expect(result.items[0]?.reasons.map((r) => r.code)).toEqual(['NO_FACE_SELFIE']);
    expect(result.items[1]?.reasons).toEqual([
      expect.objectContaining({ code: 'UNREADABLE_IMAGE', image: 'DOCUMENT' }),
    ]);
  });

  it('answers 0 / ERROR when no pair could be compared', async () => {
    const result = await run([await pair('no-face-selfie'), await pair('success-selfie', Buffer.from('x'))])
      .result;
    expect(result).toMatchObject({ score: 0, outcome: 'ERROR', decidingItem: null });
  });

  it('turns an engine that throws into an inconclusive pair with ENGINE_ERROR, and reports the error', async () => {
    let calls = 0;
    const failingOnce: ScoringEngine = {
      ...fixture,
      score: (selfie, anchor) => {
        calls++;
        if (calls === 1) return Promise.reject(new Error('model session closed'));
        return fixture.score(selfie, anchor);
      },
    };
    const { result, errors } = run([await pair('fail-selfie'), await pair('review-selfie')], failingOnce);
    const answer = await result;
    expect(answer).toMatchObject({ score: 74, outcome: 'Review', decidingItem: 1 });
    expect(answer.items[0]).toEqual({
      score: 0,
      reasons: [{ code: 'ENGINE_ERROR', message: 'The comparison could not be run: model session closed' }],
    });
    expect(errors).toEqual(['facematch module, biometrics item 0']);
  });
});
