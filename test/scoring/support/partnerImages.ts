import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

/**
 * Images for tests that must run on a fresh machine: face-api ships demo photos in
 * its npm package (sample2.jpg has one face; sample4.jpg a group where one face is
 * clearly the largest); everything else is generated here, in memory.
 */
const demoDir = join(
  dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')),
  'demo',
);

export function demoSample(n: number): Buffer {
  return readFileSync(join(demoDir, `sample${n}.jpg`));
}

/** A face region of a demo photo, with room around it as a portrait would have. Boxes were read off our detector. */
const FACES = {
  sample1: { n: 1, box: { x: 1423, y: 213, width: 305, height: 282 } },
  sample2: { n: 2, box: { x: 1405, y: 174, width: 275, height: 263 } },
  sample4: { n: 4, box: { x: 225, y: 234, width: 275, height: 245 } },
} as const;

export async function portrait(
  which: keyof typeof FACES,
  options: { side?: number; quality?: number; grayscale?: boolean } = {},
): Promise<Buffer> {
  const { n, box } = FACES[which];
  const src = demoSample(n);
  const meta = await sharp(src).metadata();
  const margin = Math.round(box.width * 0.6);
  const left = Math.max(0, box.x - margin);
  const top = Math.max(0, box.y - margin);
  const width = Math.min((meta.width ?? 0) - left, box.width + 2 * margin);
  const height = Math.min((meta.height ?? 0) - top, box.height + 2 * margin);
  let img = sharp(src).extract({ left, top, width, height });
  if (options.side) img = img.resize(options.side, options.side, { fit: 'inside' });
  if (options.grayscale) img = img.grayscale();
  return img.jpeg({ quality: options.quality ?? 90 }).toBuffer();
}

/** Two portraits side by side on one canvas: a selfie with a second person in it. */
export async function twoFaceSelfie(): Promise<Buffer> {
  const a = await sharp(await portrait('sample2', { side: 400 })).toBuffer({ resolveWithObject: true });
  const b = await sharp(await portrait('sample4', { side: 400 })).toBuffer({ resolveWithObject: true });
  return sharp({ create: { width: 820, height: 420, channels: 3, background: '#7a7a7a' } })
    .composite([
      { input: a.data, left: 0, top: 0 },
      { input: b.data, left: 420, top: 0 },
    ])
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** A smooth colour gradient: plenty of pixels, no face. */
export async function gradientPng(width = 480, height = 360): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      data[o] = Math.round((255 * x) / width);
      data[o + 1] = Math.round((255 * y) / height);
      data[o + 2] = 128;
    }
  }
  return sharp(data, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** A JPEG cut off after its first third, as an interrupted upload would be. */
export async function truncatedJpeg(): Promise<Buffer> {
  const full = await portrait('sample2', { side: 300 });
  return full.subarray(0, Math.floor(full.length / 3));
}

/**
 * An e-passport-chip style crop: just the face, forehead and chin cut off, 150×150 —
 * the kind of reference image detectors miss out of the box.
 */
export async function tightCrop(which: keyof typeof FACES = 'sample2'): Promise<Buffer> {
  const { n, box } = FACES[which];
  const inset = Math.round(box.width * 0.08);
  return sharp(demoSample(n))
    .extract({
      left: box.x + inset,
      top: box.y + inset,
      width: box.width - 2 * inset,
      height: box.height - 2 * inset,
    })
    .resize(150, 150, { fit: 'fill' })
    .png()
    .toBuffer();
}
