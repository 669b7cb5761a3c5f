import { createRgbImage, type RgbImage } from './RgbImage.ts';
import { type Affine, invertAffine } from './similarityTransform.ts';

/**
 * Cut an aligned chip out of an image: every chip pixel (integer centres, as the
 * ArcFace/dlib templates are written) is pulled back through the inverse of `toChip`
 * and sampled bilinearly. Outside the source the chip is black, like OpenCV's
 * default border, which is what recognisers trained on OpenCV-aligned data saw.
 */
export function warpAffine(src: RgbImage, toChip: Affine, width: number, height: number): RgbImage {
  const inv = invertAffine(toChip);
  // When the face is much larger than the chip, one bilinear tap per chip pixel
  // aliases (skin texture turns into noise the recogniser reads as identity).
  // Averaging an n×n grid of taps per chip pixel acts as the missing low-pass filter.
  const n = Math.min(4, Math.max(1, Math.round(Math.hypot(inv[0], inv[3]))));
  const out = createRgbImage(width, height);
  const s = src.data;
  const d = out.data;
  const w = src.width;
  const h = src.height;
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      const o = (v * width + u) * 3;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let j = 0; j < n; j++) {
        const sv = v + (j + 0.5) / n - 0.5;
        for (let i = 0; i < n; i++) {
          const su = u + (i + 0.5) / n - 0.5;
          const x = inv[0] * su + inv[1] * sv + inv[2];
          const y = inv[3] * su + inv[4] * sv + inv[5];
          r += bilinear(s, w, h, x, y, 0);
          g += bilinear(s, w, h, x, y, 1);
          b += bilinear(s, w, h, x, y, 2);
        }
      }
      const taps = n * n;
      d[o] = Math.round(r / taps);
      d[o + 1] = Math.round(g / taps);
      d[o + 2] = Math.round(b / taps);
    }
  }
  return out;
}

function bilinear(s: Uint8Array, w: number, h: number, x: number, y: number, k: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const wx = x - x0;
  const wy = y - y0;
  const p00 = sample(s, w, h, x0, y0, k);
  const p10 = sample(s, w, h, x0 + 1, y0, k);
  const p01 = sample(s, w, h, x0, y0 + 1, k);
  const p11 = sample(s, w, h, x0 + 1, y0 + 1, k);
  const top = p00 + (p10 - p00) * wx;
  const bottom = p01 + (p11 - p01) * wx;
  return top + (bottom - top) * wy;
}

function sample(s: Uint8Array, w: number, h: number, x: number, y: number, k: number): number {
  if (x < 0 || y < 0 || x >= w || y >= h) return 0;
  return s[(y * w + x) * 3 + k] as number;
}
