import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureFile } from '../../fixtures/index.ts';
import { runScoreCommand } from '../../src/cli/scoreCommand.ts';
import { isOnnxModelSetAvailable } from '../../src/scoring/onnx/isOnnxModelSetAvailable.ts';
import { gradientPng, portrait } from './support/partnerImages.ts';

function capture() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: { write: (s: string) => (out.stdout += s) },
      stderr: { write: (s: string) => (out.stderr += s) },
    },
  };
}

describe('facematch-mock score: usage', () => {
  it('prints help and exits 0', async () => {
    const { out, io } = capture();
    expect(await runScoreCommand(['--help'], io)).toBe(0);
    expect(out.stdout).toMatch(/score <selfie> <document>/);
    expect(out.stdout).toMatch(/--pairs FILE\.tsv/);
  });

  it('exits 2 with the usage when images are missing or thresholds make no sense', async () => {
    const one = capture();
    expect(await runScoreCommand(['only-one.jpg'], one.io)).toBe(2);
    expect(one.out.stderr).toMatch(/expected <selfie> and <document>/);
    const bad = capture();
    expect(await runScoreCommand(['a.jpg', 'b.jpg', '--success', '60', '--review', '75'], bad.io)).toBe(2);
    const workers = capture();
    expect(await runScoreCommand(['--pairs', 'p.tsv', '--workers', 'all'], workers.io)).toBe(2);
    expect(workers.out.stderr).toMatch(/--workers must be auto, 0 or a number/);
  });
});

describe.skipIf(!isOnnxModelSetAvailable())('facematch-mock score with the real models', () => {
  const dir = mkdtempSync(join(tmpdir(), 'facematch-cli-'));
  beforeAll(async () => {
    writeFileSync(join(dir, 'selfie.jpg'), await portrait('sample2', { side: 640 }));
    writeFileSync(join(dir, 'document.jpg'), await portrait('sample2', { side: 200, quality: 50 }));
    writeFileSync(join(dir, 'other.jpg'), await portrait('sample4'));
    writeFileSync(join(dir, 'blank.png'), await gradientPng());
    writeFileSync(
      join(dir, 'pairs.tsv'),
      'a\tb\tsame\nselfie.jpg\tdocument.jpg\t1\nselfie.jpg\tother.jpg\t0\nblank.png\tdocument.jpg\t1\n',
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints score, outcome, reasons and per-face data for two images', async () => {
    const { out, io } = capture();
    expect(await runScoreCommand([join(dir, 'selfie.jpg'), join(dir, 'document.jpg')], io)).toBe(0);
    expect(out.stdout).toMatch(/^score {5}(8\d|9\d|100) {2}Success/m);
    expect(out.stdout).toMatch(/^selfie .*1 face found; used box \d+,\d+ \d+×\d+, confidence/m);
    expect(out.stdout).toMatch(/^reasons {3}none/m);
  });

  it('answers in JSON with --json and honours --success/--review', async () => {
    const { out, io } = capture();
    const code = await runScoreCommand(
      [join(dir, 'selfie.jpg'), join(dir, 'other.jpg'), '--json', '--success', '99', '--review', '98'],
      io,
    );
    expect(code).toBe(0);
    const result = JSON.parse(out.stdout);
    expect(result).toMatchObject({ outcome: 'Fail', reasons: [] });
    expect(result.document.face.sizePx).toBeGreaterThan(100);
    expect(typeof result.ms).toBe('number');
  });

  it('scores a pairs file: one JSON line per pair in file order, progress on stderr, then a labelled summary', async () => {
    const { out, io } = capture();
    expect(await runScoreCommand(['--pairs', join(dir, 'pairs.tsv'), '--json'], io)).toBe(0);
    const lines = out.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatchObject({ a: 'selfie.jpg', b: 'document.jpg', outcome: 'Success' });
    expect(lines[1]).toMatchObject({ a: 'selfie.jpg', b: 'other.jpg', outcome: 'Fail' });
    expect(lines[2]).toMatchObject({
      score: 0,
      outcome: 'ERROR',
      reasons: [expect.objectContaining({ code: 'NO_FACE_SELFIE' })],
    });
    expect(lines[2].ms).toBeGreaterThanOrEqual(0);
    // The inconclusive genuine pair counts as a non-match, as a partner would experience it.
    expect(lines[3].summary).toMatchObject({
      genuine: 2,
      impostor: 1,
      inconclusive: 1,
      far80: 0,
      frr80: 0.5,
    });
    expect(out.stderr).toMatch(/scored 3\/3 pairs/);
  });

  it('scores a JPEG 2000 chip portrait (.jp2) as the document, and reports a truncated one as unreadable', async () => {
    const good = capture();
    expect(
      await runScoreCommand([join(dir, 'selfie.jpg'), fixtureFile('chip-portrait'), '--json'], good.io),
    ).toBe(0);
    expect(JSON.parse(good.out.stdout)).toMatchObject({
      outcome: 'Success',
      reasons: [],
      document: { width: 240, height: 320, facesFound: 1 },
    });
    // Nothing of OpenJPEG's own chatter reaches the command's output.
    expect(good.out.stdout).not.toMatch(/\[INFO\]|\[ERROR\]/);
    writeFileSync(
      join(dir, 'cut.j2k'),
      readFileSync(new URL('./jpeg2000/chip-portrait.j2k', import.meta.url)).subarray(0, 6000),
    );
    const cut = capture();
    expect(await runScoreCommand([join(dir, 'selfie.jpg'), join(dir, 'cut.j2k')], cut.io)).toBe(0);
    expect(cut.out.stdout).toMatch(/^score {5}0 {2}ERROR/m);
    expect(cut.out.stdout).toMatch(/UNREADABLE_IMAGE: The document image could not be decoded as J2K/);
    expect(cut.out.stdout).not.toMatch(/\[INFO\]|\[ERROR\]/);
  });

  it('exits 1 naming the file when an image cannot be read', async () => {
    const { out, io } = capture();
    expect(await runScoreCommand([join(dir, 'missing.jpg'), join(dir, 'document.jpg')], io)).toBe(1);
    expect(out.stderr).toMatch(/missing\.jpg/);
  });
});
