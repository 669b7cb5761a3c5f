import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { type FixtureName, readFixture } from '../../fixtures/index.ts';
import { DEFAULT_THRESHOLDS, type Outcome, outcomeFor } from '../../src/domain/outcome.ts';
import { createFixtureEngine } from '../../src/scoring/fixture/createFixtureEngine.ts';
import { DeclaredEngineError } from '../../src/scoring/fixture/DeclaredEngineError.ts';

const engine = createFixtureEngine();
afterAll(() => engine.close());

// Distinct, valid images the manifest does not know, as a partner's own photos would be.
function plainImage(colour: string, width = 64, height = 64): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: colour } })
    .png()
    .toBuffer();
}

// Written out here rather than imported, so a change to the engine's formula fails this test.
function expectedDerived(selfie: Buffer, document: Buffer): number {
  const hex = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
  const digest = createHash('sha256')
    .update(`${hex(selfie)}:${hex(document)}`)
    .digest();
  return (digest.readUInt32BE(0) % 100) + 1;
}

describe('fixture engine: declared fixtures', () => {
  const cases: { selfie: FixtureName; score: number; outcome: Outcome; reason?: string }[] = [
    { selfie: 'success-selfie', score: 92, outcome: 'Success' },
    { selfie: 'review-selfie', score: 74, outcome: 'Review' },
    { selfie: 'fail-selfie', score: 41, outcome: 'Fail' },
    { selfie: 'no-face-selfie', score: 0, outcome: 'ERROR', reason: 'NO_FACE_SELFIE' },
    { selfie: 'multiple-faces-selfie', score: 0, outcome: 'ERROR', reason: 'MULTIPLE_FACES' },
    { selfie: 'low-quality-selfie', score: 72, outcome: 'Review', reason: 'LOW_QUALITY_SELFIE' },
  ];

  for (const { selfie, score, outcome, reason } of cases) {
    it(`${selfie} with the plain document scores ${score} → ${outcome}`, async () => {
      const result = await engine.score(await readFixture(selfie), await readFixture('document'));
      expect(result.score).toBe(score);
      expect(outcomeFor(result.score, DEFAULT_THRESHOLDS)).toBe(outcome);
      expect(result.engine).toBe('fixture@1');
      if (reason === undefined) {
        expect(result.reasons).toEqual([]);
      } else {
        expect(result.reasons).toEqual([
          { code: reason, image: 'SELFIE', message: expect.stringMatching(/\w/) },
        ]);
      }
      expect(result.document).toMatchObject({ width: 400, height: 252, facesFound: 1 });
      expect(result.selfie).toMatchObject({ width: 240, height: 300 });
    });
  }

  it('is named fixture', () => {
    expect(engine.name).toBe('fixture');
  });

  it('reports the declared face box for a selfie with a face, and none for the empty room', async () => {
    const document = await readFixture('document');
    const withFace = await engine.score(await readFixture('success-selfie'), document);
    expect(withFace.selfie?.facesFound).toBe(1);
    expect(withFace.selfie?.face?.box).toEqual({ x: 66, y: 64, width: 108, height: 136 });
    expect(withFace.selfie?.face?.sizePx).toBe(108);
    expect(withFace.selfie?.face?.confidence).toBeGreaterThan(0.9);

    const noFace = await engine.score(await readFixture('no-face-selfie'), document);
    expect(noFace.selfie).toEqual({ width: 240, height: 300, face: null, facesFound: 0 });
  });

  it('reports two faces for the two-person selfie, with the larger head as the face', async () => {
    const result = await engine.score(
      await readFixture('multiple-faces-selfie'),
      await readFixture('document'),
    );
    expect(result.selfie?.facesFound).toBe(2);
    // The left head (rx 40, ry 52 around 70,128) is drawn larger than the right one.
    expect(result.selfie?.face?.box).toEqual({ x: 30, y: 76, width: 80, height: 104 });
    expect(result.selfie?.face?.sizePx).toBe(80);
  });

  it('gives the low-quality document its Review with LOW_QUALITY_DOCUMENT when the selfie declares nothing', async () => {
    const result = await engine.score(await plainImage('#446688'), await readFixture('low-quality-document'));
    expect(result.score).toBe(73);
    expect(outcomeFor(result.score, DEFAULT_THRESHOLDS)).toBe('Review');
    expect(result.reasons).toEqual([
      { code: 'LOW_QUALITY_DOCUMENT', image: 'DOCUMENT', message: expect.stringContaining('blurred') },
    ]);
    expect(result.document).toMatchObject({ width: 400, height: 252, facesFound: 1 });
  });

  it('lets a declared selfie win over the low-quality document', async () => {
    const result = await engine.score(
      await readFixture('success-selfie'),
      await readFixture('low-quality-document'),
    );
    expect(result.score).toBe(92);
    expect(result.reasons).toEqual([]);
  });

  it('uses the document declaration when the selfie is unknown', async () => {
    const result = await engine.score(await plainImage('#336699'), await readFixture('no-face-document'));
    expect(result.score).toBe(0);
    expect(outcomeFor(result.score, DEFAULT_THRESHOLDS)).toBe('ERROR');
    expect(result.reasons).toEqual([
      { code: 'NO_FACE_DOCUMENT', image: 'DOCUMENT', message: expect.stringMatching(/\w/) },
    ]);
    expect(result.selfie).toEqual({ width: 64, height: 64, face: null, facesFound: 0 });
    expect(result.document).toEqual({ width: 400, height: 252, face: null, facesFound: 0 });
  });

  it('prefers the selfie declaration over the document one', async () => {
    const result = await engine.score(
      await readFixture('review-selfie'),
      await readFixture('no-face-document'),
    );
    expect(result.score).toBe(74);
    expect(result.reasons).toEqual([]);
  });

  it('does not let a caller change later results by mutating a returned reason', async () => {
    const selfie = await readFixture('no-face-selfie');
    const document = await readFixture('document');
    const first = await engine.score(selfie, document);
    const reason = first.reasons[0];
    if (reason !== undefined) reason.message = 'changed';
    const second = await engine.score(selfie, document);
    expect(second.reasons[0]?.message).not.toBe('changed');
  });
});

describe('fixture engine: pairs the manifest does not declare', () => {
  it('gives a stable score in 1–100 derived from both hashes', async () => {
    const selfie = await plainImage('#aa3311');
    const document = await plainImage('#11aa33', 80, 50);
    const first = await engine.score(selfie, document);
    const second = await engine.score(Buffer.from(selfie), Buffer.from(document));
    expect(first.score).toBe(second.score);
    expect(first.score).toBe(expectedDerived(selfie, document));
    expect(first.score).toBeGreaterThanOrEqual(1);
    expect(first.score).toBeLessThanOrEqual(100);
    expect(first.reasons).toEqual([]);
    expect(first.document).toEqual({ width: 80, height: 50, face: null, facesFound: 0 });
  });

  it('gives a different score for a different pair, and depends on which image is the selfie', async () => {
    const a = await plainImage('#aa3311');
    const b = await plainImage('#11aa33', 80, 50);
    const c = await plainImage('#1133aa');
    const scores = await Promise.all([engine.score(a, b), engine.score(a, c), engine.score(b, a)]);
    const [ab, ac, ba] = scores.map((result) => result.score);
    expect([ab, ac, ba]).toEqual([expectedDerived(a, b), expectedDerived(a, c), expectedDerived(b, a)]);
    expect(new Set([ab, ac, ba]).size).toBe(3);
  });

  it('derives the score for the plain document with an unknown selfie', async () => {
    const selfie = await plainImage('#777777');
    const document = await readFixture('document');
    const result = await engine.score(selfie, document);
    expect(result.score).toBe(expectedDerived(selfie, document));
    expect(result.document?.face?.box).toEqual({ x: 50, y: 74, width: 60, height: 76 });
  });
});

describe('fixture engine: a declared engine failure', () => {
  it('throws DeclaredEngineError for the engine-error selfie, naming the fixture', async () => {
    const failing = engine.score(await readFixture('engine-error-selfie'), await readFixture('document'));
    await expect(failing).rejects.toBeInstanceOf(DeclaredEngineError);
    await expect(failing).rejects.toMatchObject({
      name: 'DeclaredEngineError',
      file: 'engine-error-selfie.png',
      message: expect.stringContaining('engine-error-selfie.png'),
    });
  });

  it('fails whichever document it is paired with, because the selfie decides first', async () => {
    const failing = engine.score(
      await readFixture('engine-error-selfie'),
      await readFixture('low-quality-document'),
    );
    await expect(failing).rejects.toBeInstanceOf(DeclaredEngineError);
  });

  it('fails from the document side too when the selfie declares nothing', async () => {
    const failing = engine.score(await plainImage('#224466'), await readFixture('engine-error-selfie'));
    await expect(failing).rejects.toBeInstanceOf(DeclaredEngineError);
  });

  it('still reports an unreadable document first: undecodable input is a result, not a failure', async () => {
    const result = await engine.score(
      await readFixture('engine-error-selfie'),
      await readFixture('unreadable-document'),
    );
    expect(result.score).toBe(0);
    expect(result.reasons.map((reason) => [reason.code, reason.image])).toEqual([
      ['UNREADABLE_IMAGE', 'DOCUMENT'],
    ]);
  });
});

describe('fixture engine: uploads that are not images', () => {
  it('reports the committed unreadable-document.jpg as UNREADABLE_IMAGE (DOCUMENT), even with a declared selfie', async () => {
    for (const selfie of [await readFixture('success-selfie'), await plainImage('#335577')]) {
      const result = await engine.score(selfie, await readFixture('unreadable-document'));
      expect(result.score).toBe(0);
      expect(outcomeFor(result.score, DEFAULT_THRESHOLDS)).toBe('ERROR');
      expect(result.reasons).toEqual([
        { code: 'UNREADABLE_IMAGE', image: 'DOCUMENT', message: expect.stringMatching(/truncated|corrupt/) },
      ]);
      expect(result.document).toBeNull();
    }
  });

  async function truncatedPng(): Promise<Buffer> {
    const png = await readFixture('fail-selfie');
    return png.subarray(0, Math.floor(png.length / 2));
  }

  it('reports text bytes as an unreadable selfie with score 0', async () => {
    const result = await engine.score(Buffer.from('not an image'), await readFixture('document'));
    expect(result.score).toBe(0);
    expect(outcomeFor(result.score, DEFAULT_THRESHOLDS)).toBe('ERROR');
    expect(result.reasons).toEqual([
      { code: 'UNREADABLE_IMAGE', image: 'SELFIE', message: expect.stringContaining('selfie') },
    ]);
    expect(result.selfie).toBeNull();
    expect(result.document).toMatchObject({ width: 400, height: 252 });
  });

  it('reports a truncated PNG document even though its header is intact', async () => {
    const result = await engine.score(await readFixture('success-selfie'), await truncatedPng());
    expect(result.score).toBe(0);
    expect(result.reasons).toEqual([
      { code: 'UNREADABLE_IMAGE', image: 'DOCUMENT', message: expect.stringMatching(/truncated|corrupt/) },
    ]);
    expect(result.document).toBeNull();
    // The declared Success selfie does not rescue an unreadable document.
    expect(result.selfie).toMatchObject({ facesFound: 1 });
  });

  it('names both images when both are unreadable', async () => {
    const result = await engine.score(Buffer.alloc(0), await truncatedPng());
    expect(result.score).toBe(0);
    expect(result.reasons.map((reason) => [reason.code, reason.image])).toEqual([
      ['UNREADABLE_IMAGE', 'SELFIE'],
      ['UNREADABLE_IMAGE', 'DOCUMENT'],
    ]);
  });

  it('refuses image formats the API does not accept, such as SVG', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
    const result = await engine.score(await readFixture('success-selfie'), svg);
    expect(result.score).toBe(0);
    expect(result.reasons).toEqual([
      { code: 'UNREADABLE_IMAGE', image: 'DOCUMENT', message: expect.stringContaining('JPEG, PNG or WebP') },
    ]);
  });

  it('refuses images above the pixel limit instead of decoding them', async () => {
    const small = createFixtureEngine({ maxInputPixels: 10_000 });
    const result = await small.score(await readFixture('success-selfie'), await plainImage('#000000'));
    expect(result.score).toBe(0);
    expect(result.reasons).toEqual([
      { code: 'UNREADABLE_IMAGE', image: 'SELFIE', message: expect.stringContaining('pixel limit') },
    ]);
    await small.close();
  });
});
