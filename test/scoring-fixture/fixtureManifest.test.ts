import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderFixtures } from '../../fixtures/generate.ts';
import { fixtureFile, fixtureManifestPath, fixtureNames, fixturesDir } from '../../fixtures/index.ts';
import { createFixtureEngine } from '../../src/scoring/fixture/createFixtureEngine.ts';
import { FixtureManifestError, loadFixtureManifest } from '../../src/scoring/fixture/fixtureManifest.ts';
import { probeImage } from '../../src/scoring/fixture/probeImage.ts';

describe('committed fixtures', () => {
  const manifest = loadFixtureManifest(fixtureManifestPath);

  it('declares every named fixture, and nothing else', () => {
    expect(manifest.images.map((entry) => join(fixturesDir, entry.file)).sort()).toEqual(
      fixtureNames.map((name) => fixtureFile(name)).sort(),
    );
  });

  for (const entry of manifest.images) {
    it(`${entry.file}: the committed bytes hash to the manifest entry`, async () => {
      const bytes = await readFile(join(fixturesDir, entry.file));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(entry.sha256);
    });

    it(`${entry.file}: is a small image whose declared face box lies inside it`, async () => {
      const bytes = await readFile(join(fixturesDir, entry.file));
      expect(bytes.length).toBeLessThan(16 * 1024);
      const meta = await sharp(bytes).metadata();
      expect(['png', 'jpeg']).toContain(meta.format);
      if (entry.face !== undefined) {
        expect(entry.face.x + entry.face.width).toBeLessThanOrEqual(meta.width ?? 0);
        expect(entry.face.y + entry.face.height).toBeLessThanOrEqual(meta.height ?? 0);
      }
    });
  }

  it('declares a result or an engine failure for every reason code the API documents', () => {
    const codes = new Set(
      manifest.images.flatMap((entry) => (entry.reasons ?? []).map((reason) => reason.code)),
    );
    // UNREADABLE_IMAGE comes from decoding (unreadable-document.jpg), never from a declaration.
    expect([...codes].sort()).toEqual([
      'LOW_QUALITY_DOCUMENT',
      'LOW_QUALITY_SELFIE',
      'MULTIPLE_FACES',
      'NO_FACE_DOCUMENT',
      'NO_FACE_SELFIE',
    ]);
    expect(
      manifest.images.filter((entry) => entry.engineError !== undefined).map((entry) => entry.file),
    ).toEqual(['engine-error-selfie.png']);
    expect(manifest.images.find((entry) => entry.file === 'multiple-faces-selfie.png')?.facesFound).toBe(2);
  });

  it('unreadable-document.jpg starts like a JPEG but does not decode, and declares nothing', async () => {
    const bytes = await readFile(fixtureFile('unreadable-document'));
    expect((await sharp(bytes).metadata()).format).toBe('jpeg');
    expect(await probeImage(bytes, 40_000_000)).toEqual({
      ok: false,
      problem: expect.stringContaining('truncated or corrupt'),
    });
    const entry = manifest.images.find((image) => image.file === 'unreadable-document.jpg');
    expect(entry).toEqual({
      file: 'unreadable-document.jpg',
      sha256: expect.any(String),
      note: expect.any(String),
    });
  });

  it('the generator draws the same bytes every run', async () => {
    const [first, second] = await Promise.all([renderFixtures(), renderFixtures()]);
    expect(second.map((fixture) => fixture.entry.sha256)).toEqual(
      first.map((fixture) => fixture.entry.sha256),
    );
  });
});

describe('malformed manifests', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fixture-manifest-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const validEntry = {
    file: 'a.png',
    sha256: 'a'.repeat(64),
    score: 90,
    reasons: [],
  };

  async function errorFor(content: unknown, name: string): Promise<{ path: string; error: unknown }> {
    const path = join(dir, `${name}.json`);
    await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
    try {
      createFixtureEngine({ manifestPath: path });
    } catch (error) {
      return { path, error };
    }
    throw new Error(`manifest ${name} was accepted`);
  }

  it('names the file, the entry and the field for a score of the wrong type, and says how to fix it', async () => {
    const { path, error } = await errorFor(
      {
        version: 1,
        images: [validEntry, { ...validEntry, file: 'b.png', sha256: 'b'.repeat(64), score: 'high' }],
      },
      'score-type',
    );
    expect(error).toBeInstanceOf(FixtureManifestError);
    const message = (error as Error).message;
    expect(message).toContain(path);
    expect(message).toContain('images[1] (b.png).score');
    expect(message).toMatch(/Fix: use an integer 0–100/);
  });

  it('rejects a misspelt field instead of silently ignoring it', async () => {
    const { error } = await errorFor({ version: 1, images: [{ ...validEntry, scroe: 50 }] }, 'typo');
    expect((error as Error).message).toContain('images[0] (a.png).scroe: Unrecognized key');
    expect((error as Error).message).toContain('correct its spelling');
  });

  it('rejects a hash that is not lowercase hex SHA-256', async () => {
    const { error } = await errorFor({ version: 1, images: [{ ...validEntry, sha256: 'ABC' }] }, 'hash');
    expect((error as Error).message).toContain('images[0] (a.png).sha256');
    expect((error as Error).message).toContain('sha256sum');
  });

  it('rejects a score of 0 without a reason, and an unknown reason code', async () => {
    const { error } = await errorFor(
      {
        version: 1,
        images: [
          { ...validEntry, score: 0 },
          {
            ...validEntry,
            file: 'b.png',
            sha256: 'b'.repeat(64),
            reasons: [{ code: 'NO_FACE', message: 'x' }],
          },
        ],
      },
      'reasons',
    );
    const message = (error as Error).message;
    expect(message).toContain('images[0] (a.png).reasons: score 0 means inconclusive');
    expect(message).toContain('images[1] (b.png).reasons[0].code');
    expect(message).toContain('NO_FACE_SELFIE');
  });

  it('rejects an engine failure declared together with a score', async () => {
    const { error } = await errorFor(
      { version: 1, images: [{ ...validEntry, engineError: 'model crashed' }] },
      'engine-error-and-score',
    );
    const message = (error as Error).message;
    expect(message).toContain('images[0] (a.png).engineError: an entry declares either a score');
    expect(message).toContain('remove "score" and "reasons"');
  });

  it('rejects an empty engine failure message', async () => {
    const { error } = await errorFor(
      { version: 1, images: [{ file: 'a.png', sha256: 'a'.repeat(64), engineError: '  ' }] },
      'engine-error-empty',
    );
    expect((error as Error).message).toContain('images[0] (a.png).engineError');
  });

  it('rejects facesFound without a face box, and a facesFound of 0', async () => {
    const face = { x: 0, y: 0, width: 10, height: 10 };
    const { error } = await errorFor(
      {
        version: 1,
        images: [
          { ...validEntry, facesFound: 2 },
          { ...validEntry, file: 'b.png', sha256: 'b'.repeat(64), face, facesFound: 0 },
        ],
      },
      'faces-found',
    );
    const message = (error as Error).message;
    expect(message).toContain('images[0] (a.png).facesFound: facesFound is declared without a face box');
    expect(message).toContain('images[1] (b.png).facesFound');
    expect(message).toContain('Fix: use a whole number of faces, 1 or more');
  });

  it('rejects the same hash declared twice', async () => {
    const { error } = await errorFor(
      { version: 1, images: [validEntry, { ...validEntry, file: 'b.png' }] },
      'dup',
    );
    expect((error as Error).message).toContain('images[1] (b.png).sha256: duplicates images[0].sha256');
  });

  it('rejects an unknown version and a missing images list', async () => {
    const { error } = await errorFor({ version: 2 }, 'version');
    expect((error as Error).message).toContain('version');
    expect((error as Error).message).toContain('Fix: set "version": 1');
    expect((error as Error).message).toContain('images');
  });

  it('names the file when it is not JSON or does not exist', async () => {
    const { path, error } = await errorFor('{ "version": 1, ', 'syntax');
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toContain('not valid JSON');

    const missing = join(dir, 'missing.json');
    expect(() => createFixtureEngine({ manifestPath: missing })).toThrow(missing);
  });

  it('accepts a minimal valid manifest and uses it', async () => {
    const bytes = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#123456' } })
      .png()
      .toBuffer();
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const path = join(dir, 'valid.json');
    await writeFile(path, JSON.stringify({ version: 1, images: [{ file: 'x.png', sha256, score: 77 }] }));
    const engine = createFixtureEngine({ manifestPath: path });
    const result = await engine.score(bytes, bytes);
    expect(result.score).toBe(77);
    expect(result.reasons).toEqual([]);
    await engine.close();
  });
});
