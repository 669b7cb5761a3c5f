/**
 * The document-side degradations the scoring benches and the calibration apply to dev
 * photos, in memory (the photos are third-party and never copied). `face` is the box the
 * engine found on the original, so sizes are relative to the real face.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { FaceBox } from '../../src/scoring/ScoringEngine.ts';

export type Degrade = (bytes: Buffer, face: FaceBox | null) => Promise<Buffer>;

/** Downscale the whole photo so the face is `target` px wide (as in a small printed portrait). */
const shrinkFaceTo =
  (target: number): Degrade =>
  async (bytes, face) => {
    const img = sharp(bytes).rotate();
    const meta = await sharp(bytes).rotate().toBuffer({ resolveWithObject: true });
    const faceWidth = face?.width ?? meta.info.width / 2;
    const k = Math.min(1, target / faceWidth);
    return img
      .resize(Math.max(16, Math.round(meta.info.width * k)), Math.max(16, Math.round(meta.info.height * k)))
      .jpeg({ quality: 90 })
      .toBuffer();
  };

export const DEGRADATIONS: Record<string, Degrade> = {
  original: async (bytes) => bytes,
  'face 60 px': shrinkFaceTo(60),
  'face 40 px': shrinkFaceTo(40),
  'JPEG q25': (bytes) => sharp(bytes).rotate().jpeg({ quality: 25 }).toBuffer(),
  'JPEG q20 + face 60 px': async (bytes, face) =>
    sharp(await shrinkFaceTo(60)(bytes, face))
      .jpeg({ quality: 20 })
      .toBuffer(),
  grayscale: (bytes) => sharp(bytes).rotate().grayscale().jpeg({ quality: 90 }).toBuffer(),
  'blur σ = face/40': async (bytes, face) =>
    sharp(bytes)
      .rotate()
      .blur(Math.max(1, (face?.width ?? 120) / 40))
      .jpeg({ quality: 90 })
      .toBuffer(),
  'face 40 px + blur σ = face/40': async (bytes, face) =>
    sharp(await shrinkFaceTo(40)(bytes, face))
      .blur(1)
      .jpeg({ quality: 90 })
      .toBuffer(),
  'ID card (face 56 px)': (bytes, face) => idCard(bytes, face, { faceWidth: 56, quality: 60 }),
  'document-style (card, face 50 px, desaturated, blur σ 0.8, JPEG q30)': (bytes, face) =>
    idCard(bytes, face, { faceWidth: 50, quality: 30, saturation: 0.3, blur: 0.8 }),
  // Not among the calibration's training documents: checks the bands on a print they never saw.
  'document-style, held out (card, face 44 px, half colour, blur σ 1, JPEG q35)': (bytes, face) =>
    idCard(bytes, face, { faceWidth: 44, quality: 35, saturation: 0.5, blur: 1 }),
  'chip portrait JP2, lossless': chipPortrait(null),
  'chip portrait JP2, ratio 12 (~19 KB)': chipPortrait(12),
  'chip portrait JP2, ratio 50 (~5 KB)': chipPortrait(50),
  'chip portrait JP2, ratio 150 (~1.5 KB)': chipPortrait(150),
};

/**
 * An e-passport chip portrait (ICAO 9303 DG2): the face cut to 3:4 at 240×320 with the face
 * about 65 % of the width, as fixtures/chip-portrait.jp2, then JPEG 2000 at a compression
 * ratio. Encoded by Debian's opj_compress (libopenjp2-tools; the npm codec's encoder ignores
 * its rate settings), through a private temporary folder removed straight after; the engine
 * then decodes it through the same WebAssembly OpenJPEG as an upload. `null`: lossless, to
 * tell the framing and size apart from the compression.
 */
function chipPortrait(ratio: number | null): Degrade {
  return async (bytes, face) => {
    const rotated = await sharp(bytes).rotate().toBuffer({ resolveWithObject: true });
    const { width, height } = rotated.info;
    const box = face ?? { x: width / 4, y: height / 4, width: width / 2, height: height / 2 };
    const w = Math.min(width, Math.round(box.width / 0.65));
    const h = Math.min(height, Math.round((w * 4) / 3));
    const left = Math.min(width - w, Math.max(0, Math.round(box.x + box.width / 2 - w / 2)));
    const top = Math.min(height - h, Math.max(0, Math.round(box.y + box.height / 2 - h * 0.45)));
    const png = await sharp(rotated.data)
      .extract({ left, top, width: w, height: h })
      .resize(240, 320, { fit: 'cover' })
      .png()
      .toBuffer();
    const dir = mkdtempSync(join(tmpdir(), 'degrade-jp2-'));
    try {
      writeFileSync(join(dir, 'in.png'), png);
      execFileSync(
        'opj_compress',
        [
          '-i',
          join(dir, 'in.png'),
          '-o',
          join(dir, 'out.jp2'),
          ...(ratio === null ? [] : ['-r', String(ratio)]),
        ],
        {
          stdio: 'ignore',
        },
      );
      return readFileSync(join(dir, 'out.jp2'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

interface CardPrint {
  faceWidth: number;
  quality: number;
  /** Printed portraits lose colour (1 = unchanged). */
  saturation?: number;
  /** Print and capture softness, σ in card pixels. */
  blur?: number;
}

/**
 * A synthetic ID card: pale coloured card with stripes and text blocks, the holder's
 * portrait cropped around the face so the face is `faceWidth` px wide, a faint ghost copy,
 * the whole card then JPEG-compressed as a phone capture would be.
 */
async function idCard(bytes: Buffer, face: FaceBox | null, print: CardPrint): Promise<Buffer> {
  const rotated = await sharp(bytes).rotate().toBuffer({ resolveWithObject: true });
  const { width, height } = rotated.info;
  const box = face ?? { x: width / 4, y: height / 4, width: width / 2, height: height / 2 };
  const side = box.width * 1.6;
  const left = Math.max(0, Math.round(box.x + box.width / 2 - side / 2));
  const top = Math.max(0, Math.round(box.y + box.height / 2 - side * 0.55));
  const w = Math.min(width - left, Math.round(side));
  const h = Math.min(height - top, Math.round(side * 1.25));
  const scale = print.faceWidth / box.width;
  const portrait = await sharp(rotated.data)
    .extract({ left, top, width: Math.max(1, w), height: Math.max(1, h) })
    .resize(Math.max(8, Math.round(w * scale)), Math.max(8, Math.round(h * scale)))
    .toBuffer();
  const ghost = await sharp(portrait)
    .resize(Math.max(8, Math.round(w * scale * 0.4)))
    .grayscale()
    .linear(0.5, 120)
    .toBuffer();
  const stripes = Buffer.from(
    `<svg width="428" height="270"><rect x="0" y="0" width="428" height="34" fill="#2c5d8f"/>
     <rect x="120" y="60" width="200" height="10" fill="#7a8899"/><rect x="120" y="85" width="160" height="10" fill="#7a8899"/>
     <rect x="120" y="110" width="220" height="10" fill="#7a8899"/><rect x="0" y="240" width="428" height="30" fill="#d8c38a"/></svg>`,
  );
  const card = await sharp({ create: { width: 428, height: 270, channels: 3, background: '#cfe0d4' } })
    .composite([
      { input: stripes, left: 0, top: 0 },
      { input: portrait, left: 20, top: 50 },
      { input: ghost, left: 350, top: 150 },
    ])
    .png()
    .toBuffer();
  let printed = sharp(card).modulate({ saturation: print.saturation ?? 1 });
  if (print.blur) printed = printed.blur(print.blur);
  return printed.jpeg({ quality: print.quality }).toBuffer();
}
