import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, outcomeFor } from '../../src/domain/outcome.ts';
import { createOnnxEngine, type OnnxEngine } from '../../src/scoring/onnx/createOnnxEngine.ts';
import { isOnnxModelSetAvailable } from '../../src/scoring/onnx/isOnnxModelSetAvailable.ts';
import { gradientPng, portrait, tightCrop, truncatedJpeg, twoFaceSelfie } from './support/partnerImages.ts';

const available = isOnnxModelSetAvailable();
if (!available)
  console.warn('models/onnx is missing: run the converter (models/) to test the default engine');

describe.skipIf(!available)('onnx engine on the converted face-api models', () => {
  let engine: OnnxEngine;
  beforeAll(async () => {
    engine = await createOnnxEngine();
  });
  afterAll(() => engine?.close());

  it('scores the same person from a selfie and a small, recompressed portrait as Success', async () => {
    const selfie = await portrait('sample2', { side: 640 });
    const document = await portrait('sample2', { side: 160, quality: 40, grayscale: true });
    const result = await engine.score(selfie, document);
    expect(result.score).toBeGreaterThanOrEqual(80);
    expect(outcomeFor(result.score, DEFAULT_THRESHOLDS)).toBe('Success');
    expect(result.selfie?.face?.sizePx).toBeGreaterThan(100);
    expect(result.document?.face?.confidence).toBeGreaterThan(0.5);
    expect(result.engine).toMatch(/^onnx\/faceapi\//);
  });

  it('finds the face in a tight 150×150 chip-style crop and matches it to the selfie', async () => {
    const result = await engine.score(await portrait('sample2', { side: 640 }), await tightCrop('sample2'));
    expect(result.reasons.map((r) => r.code)).not.toContain('NO_FACE_DOCUMENT');
    expect(outcomeFor(result.score, DEFAULT_THRESHOLDS)).toBe('Success');
    // The box is reported inside the upload even though the face was found on a padded copy.
    const box = result.document?.face?.box;
    expect(box && box.x >= 0 && box.y >= 0 && box.x + box.width <= 150 && box.y + box.height <= 150).toBe(
      true,
    );
  });

  it('matches a document whose face is only ~30 px wide to the selfie, flagging it LOW_QUALITY', async () => {
    // 66 px portrait: the face is 30 px on the full photo's scale. Without the Lanczos
    // enlargement before landmarks and alignment this pair scores 40 (Fail).
    const document = await portrait('sample1', { side: 66 });
    const result = await engine.score(await portrait('sample1'), document);
    expect(outcomeFor(result.score, DEFAULT_THRESHOLDS)).toBe('Success');
    expect(result.reasons.map((r) => r.code)).toEqual(['LOW_QUALITY_DOCUMENT']);
    // The box is reported in the upload's own pixels, not the enlarged copy's.
    const { width, height } = await sharp(document).metadata();
    const box = result.document?.face?.box;
    expect(box && box.x + box.width <= (width ?? 0) && box.y + box.height <= (height ?? 0)).toBe(true);
    expect(result.document?.face?.sizePx).toBeGreaterThan(15);
    expect(result.document?.face?.sizePx).toBeLessThan(40);
    const stranger = await engine.score(await portrait('sample2'), document);
    expect(outcomeFor(stranger.score, DEFAULT_THRESHOLDS)).toBe('Fail');
  });

  it('scores two different people as Fail', async () => {
    const result = await engine.score(await portrait('sample2'), await portrait('sample4'));
    expect(result.score).toBeGreaterThan(0);
    expect(outcomeFor(result.score, DEFAULT_THRESHOLDS)).toBe('Fail');
  });

  it('answers score 0 with NO_FACE_* for a picture without a face, naming the upload', async () => {
    const noFace = await gradientPng();
    const asSelfie = await engine.score(noFace, await portrait('sample2'));
    expect(asSelfie.score).toBe(0);
    expect(asSelfie.reasons.map((r) => r.code)).toEqual(['NO_FACE_SELFIE']);
    expect(outcomeFor(asSelfie.score, DEFAULT_THRESHOLDS)).toBe('ERROR');
    const asDocument = await engine.score(await portrait('sample2'), noFace);
    expect(asDocument.reasons).toEqual([
      expect.objectContaining({ code: 'NO_FACE_DOCUMENT', image: 'DOCUMENT' }),
    ]);
    expect(asDocument.document).toMatchObject({ face: null, facesFound: 0 });
  });

  it('finds the face in a heavily blurred tight crop (σ = a fortieth of the face width)', async () => {
    for (const which of ['sample1', 'sample2', 'sample4'] as const) {
      const blurred = await sharp(await tightCrop(which))
        .blur(150 / 40)
        .png()
        .toBuffer();
      const result = await engine.score(await portrait(which, { side: 640 }), blurred);
      expect(
        result.reasons.map((r) => r.code),
        which,
      ).not.toContain('NO_FACE_DOCUMENT');
      expect(result.score, which).toBeGreaterThan(0);
    }
  });

  it('answers NO_FACE for a large faceless upload rather than failing while looking harder', async () => {
    const result = await engine.score(await portrait('sample2'), await gradientPng(2400, 1800));
    expect(result.reasons.map((r) => r.code)).toEqual(['NO_FACE_DOCUMENT']);
  });

  it('answers score 0 with UNREADABLE_IMAGE for a truncated or foreign file, without throwing', async () => {
    const truncated = await engine.score(await portrait('sample2'), await truncatedJpeg());
    expect(truncated.score).toBe(0);
    expect(truncated.reasons[0]).toMatchObject({ code: 'UNREADABLE_IMAGE', image: 'DOCUMENT' });
    expect(truncated.reasons[0]?.message).toMatch(/document image/);
    const text = await engine.score(Buffer.from('not an image at all'), await portrait('sample2'));
    expect(text.reasons[0]).toMatchObject({ code: 'UNREADABLE_IMAGE', image: 'SELFIE' });
    expect(text.selfie).toBeNull();
  });

  it('refuses a selfie with two people in it as MULTIPLE_FACES (score 0)', async () => {
    const result = await engine.score(await twoFaceSelfie(), await portrait('sample2'));
    expect(result.score).toBe(0);
    expect(result.reasons).toEqual([expect.objectContaining({ code: 'MULTIPLE_FACES', image: 'SELFIE' })]);
    expect(result.selfie?.facesFound).toBe(2);
  });

  it('uses the larger portrait of a document that also carries a small ghost image', async () => {
    const result = await engine.score(await portrait('sample2', { side: 500 }), await idCardWithGhost());
    expect(result.reasons.map((r) => r.code)).not.toContain('MULTIPLE_FACES');
    expect(result.score).toBeGreaterThanOrEqual(80);
  });

  it('never reports MULTIPLE_FACES for a document: it compares the largest face', async () => {
    const result = await engine.score(await portrait('sample2', { side: 500 }), await twoFaceSelfie());
    expect(result.document?.facesFound).toBe(2);
    expect(result.reasons.map((r) => r.code)).not.toContain('MULTIPLE_FACES');
    expect(result.score).toBeGreaterThan(0);
  });

  it('reports quality signals and flags a tiny blurred document portrait as LOW_QUALITY_DOCUMENT', async () => {
    const blurred = await sharpBlur(await portrait('sample2', { side: 110 }));
    const result = await engine.score(await portrait('sample2', { side: 640 }), blurred);
    expect(result.document?.face?.quality?.sharpness).toBeGreaterThanOrEqual(0);
    expect(result.reasons.map((r) => r.code)).toContain('LOW_QUALITY_DOCUMENT');
    expect(result.score).toBeGreaterThan(0);
  });

  it('reports the five alignment landmarks in upload pixels, whether the engine shrank, enlarged or padded the image', async () => {
    // The same photo at its own size, upscaled past the 1280 px working side (the engine shrinks
    // it), and at 66 px (the face is ~30 px, so the engine enlarges it): relative to the image the
    // points must land in the same places.
    const natural = await portrait('sample1');
    const { width = 0, height = 0 } = await sharp(natural).metadata();
    const big = await sharp(natural)
      .resize(width * 3, height * 3)
      .jpeg({ quality: 90 })
      .toBuffer();
    const small = await portrait('sample1', { side: 66 });
    const relative = async (image: Buffer) => {
      const result = await engine.score(image, await portrait('sample2'));
      const face = result.selfie?.face;
      const size = result.selfie;
      if (!face?.landmarks || !size) throw new Error(`no landmarks: ${JSON.stringify(result)}`);
      expect(face.landmarks.map((p) => p.name)).toEqual([
        'leftEye',
        'rightEye',
        'noseTip',
        'leftMouthCorner',
        'rightMouthCorner',
      ]);
      return face.landmarks.map((p) => [p.x / size.width, p.y / size.height] as const);
    };
    const reference = await relative(natural);
    for (const [label, image] of [
      ['shrunk', big],
      ['enlarged', small],
    ] as const) {
      const points = await relative(image);
      points.forEach(([x, y], i) => {
        const [rx, ry] = reference[i] as readonly [number, number];
        expect(Math.abs(x - rx), `${label} point ${i} x`).toBeLessThan(0.03);
        expect(Math.abs(y - ry), `${label} point ${i} y`).toBeLessThan(0.03);
      });
    }
    // A face plausibly drawn: eyes above the nose above the mouth, left of right, inside the image.
    const [leftEye, rightEye, nose, leftMouth, rightMouth] = reference as Array<readonly [number, number]>;
    expect(leftEye?.[0]).toBeLessThan(rightEye?.[0] ?? 0);
    expect(Math.max(leftEye?.[1] ?? 1, rightEye?.[1] ?? 1)).toBeLessThan(nose?.[1] ?? 0);
    expect(nose?.[1]).toBeLessThan(Math.min(leftMouth?.[1] ?? 0, rightMouth?.[1] ?? 0));

    // A tight crop is found on a padded copy: its points still fall inside the 150×150 upload and the box.
    const crop = await engine.score(await tightCrop('sample2'), await portrait('sample2'));
    const face = crop.selfie?.face;
    expect(face?.landmarks).toHaveLength(5);
    for (const p of face?.landmarks ?? []) {
      expect(p.x).toBeGreaterThanOrEqual(0);
      expect(p.y).toBeGreaterThanOrEqual(0);
      expect(p.x).toBeLessThanOrEqual(150);
      expect(p.y).toBeLessThanOrEqual(150);
      expect(p.x).toBeGreaterThanOrEqual(face?.box.x ?? 0);
      expect(p.x).toBeLessThanOrEqual((face?.box.x ?? 0) + (face?.box.width ?? 0));
    }
  });
});

async function sharpBlur(image: Buffer): Promise<Buffer> {
  const { default: sharp } = await import('sharp');
  return sharp(image).blur(1.6).jpeg({ quality: 60 }).toBuffer();
}

/** A card: the holder's portrait at the left and a faint, small ghost copy at the right. */
async function idCardWithGhost(): Promise<Buffer> {
  const { default: sharp } = await import('sharp');
  const main = await sharp(await portrait('sample2', { side: 260 })).toBuffer();
  const ghost = await sharp(await portrait('sample2', { side: 150 }))
    .grayscale()
    .toBuffer();
  return sharp({ create: { width: 640, height: 400, channels: 3, background: '#b8cfe0' } })
    .composite([
      { input: main, left: 30, top: 70 },
      { input: ghost, left: 470, top: 230 },
    ])
    .jpeg({ quality: 85 })
    .toBuffer();
}
