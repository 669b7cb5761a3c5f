import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { type FixtureName, fixtureNames, readFixture } from '../../fixtures/index.ts';
import { createFixtureEngine } from '../../src/scoring/fixture/createFixtureEngine.ts';
import { DeclaredEngineError } from '../../src/scoring/fixture/DeclaredEngineError.ts';
import { createDeclaredFixtureResult } from '../../src/scoring/fixture/declaredFixtureResult.ts';
import { parseFixtureManifest } from '../../src/scoring/fixture/fixtureManifest.ts';

// What a real engine sitting behind the fixture declarations relies on: fixture images keep
// their declared results, everything else is left to the engine (null).
const declaredResult = createDeclaredFixtureResult();
const engine = createFixtureEngine();
afterAll(() => engine.close());

function plainImage(colour: string): Promise<Buffer> {
  return sharp({ create: { width: 48, height: 48, channels: 3, background: colour } })
    .png()
    .toBuffer();
}

describe('declaredFixtureResult', () => {
  it('returns null for a pair the manifest does not declare, so the real engine decides', async () => {
    expect(await declaredResult(await plainImage('#102030'), await plainImage('#302010'))).toBeNull();
  });

  it('returns null for the plain document, whose entry only describes its face', async () => {
    expect(await declaredResult(await plainImage('#102030'), await readFixture('document'))).toBeNull();
  });

  it('returns null for undecodable bytes nobody declared: reporting them is the real engine’s job', async () => {
    expect(
      await declaredResult(Buffer.from('not an image'), await readFixture('unreadable-document')),
    ).toBeNull();
  });

  it('returns a declared selfie result paired with any decodable document', async () => {
    const result = await declaredResult(await readFixture('success-selfie'), await plainImage('#405060'));
    expect(result).toEqual({
      score: 92,
      reasons: [],
      selfie: {
        width: 240,
        height: 300,
        face: {
          box: { x: 66, y: 64, width: 108, height: 136 },
          confidence: 0.99,
          sizePx: 108,
          // The drawn eye centres, nose tip and mouth corners (fixtures/generate.ts).
          landmarks: [
            { name: 'leftEye', x: 99.5, y: 123.8 },
            { name: 'rightEye', x: 140.5, y: 123.8 },
            { name: 'noseTip', x: 115.7, y: 147 },
            { name: 'leftMouthCorner', x: 95.7, y: 162.6 },
            { name: 'rightMouthCorner', x: 144.3, y: 162.6 },
          ],
        },
        facesFound: 1,
      },
      document: { width: 48, height: 48, face: null, facesFound: 0 },
      engine: 'fixture@1',
    });
  });

  it('returns the document declaration when the selfie is unknown', async () => {
    const result = await declaredResult(
      await plainImage('#506070'),
      await readFixture('low-quality-document'),
    );
    expect(result?.score).toBe(73);
    expect(result?.reasons.map((reason) => [reason.code, reason.image])).toEqual([
      ['LOW_QUALITY_DOCUMENT', 'DOCUMENT'],
    ]);
  });

  it('reports an undecodable partner image when the other one is a declared fixture', async () => {
    const result = await declaredResult(
      await readFixture('review-selfie'),
      await readFixture('unreadable-document'),
    );
    expect(result?.score).toBe(0);
    expect(result?.reasons.map((reason) => [reason.code, reason.image])).toEqual([
      ['UNREADABLE_IMAGE', 'DOCUMENT'],
    ]);
  });

  it('throws DeclaredEngineError for the engine-error selfie', async () => {
    await expect(
      declaredResult(await readFixture('engine-error-selfie'), await readFixture('document')),
    ).rejects.toBeInstanceOf(DeclaredEngineError);
  });

  it('gives exactly what the fixture engine gives for every declaring fixture as selfie', async () => {
    const document = await readFixture('document');
    const selfies: FixtureName[] = fixtureNames.filter((name) => name !== 'engine-error-selfie');
    const declaring: FixtureName[] = [];
    for (const name of selfies) {
      const selfie = await readFixture(name);
      const declared = await declaredResult(selfie, document);
      if (declared === null) continue;
      declaring.push(name);
      expect(await engine.score(selfie, document)).toEqual(declared);
    }
    expect(declaring).toEqual([
      'success-selfie',
      'review-selfie',
      'fail-selfie',
      'no-face-selfie',
      'no-face-document',
      'multiple-faces-selfie',
      'low-quality-selfie',
      'low-quality-document',
    ]);
  });

  it('uses the manifest it is given, e.g. a team’s own declarations', async () => {
    const own = await plainImage('#abcdef');
    const sha256 = createHash('sha256').update(own).digest('hex');
    const manifest = parseFixtureManifest(
      { version: 1, images: [{ file: 'team-outage.png', sha256, engineError: 'Simulated model outage' }] },
      'test manifest',
    );
    const declared = createDeclaredFixtureResult(manifest);
    await expect(declared(await plainImage('#000000'), own)).rejects.toThrow(
      /Simulated model outage \(declared by fixture team-outage\.png/,
    );
    // The repo's fixtures mean nothing to a different manifest.
    expect(await declared(await readFixture('success-selfie'), await readFixture('document'))).toBeNull();
  });
});
