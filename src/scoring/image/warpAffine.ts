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
  const w = src.width;
  const h = src.height;
  const acc = new Float64Array(3);
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      acc[0] = 0;
      acc[1] = 0;
      acc[2] = 0;
      for (let j = 0; j < n; j++) {
        const sv = v + (j + 0.5) / n - 0.5;
        for (let i = 0; i < n; i++) {
          const su = u + (i + 0.5) / n - 0.5;
          addBilinear(s, w, h, inv[0] * su + inv[1] * sv + inv[2], inv[3] * su + inv[4] * sv + inv[5], acc);
        }
      }
      const o = (v * width + u) * 3;
      const taps = n * n;
      out.data[o] = Math.round((acc[0] as number) / taps);
      out.data[o + 1] = Math.round((acc[1] as number) / taps);
      out.data[o + 2] = Math.round((acc[2] as number) / taps);
    }
  }
  return out;
}

/** Adds the bilinear sample at (x, y) to acc[0..2]; pixels outside the image count as black. */
function addBilinear(s: Uint8Array, w: number, h: number, x: number, y: number, acc: Float64Array): void {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const wx = x - x0;
  const wy = y - y0;
  if (x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h) {
    // Interior: all four neighbours exist, index them directly.
    const a = (y0 * w + x0) * 3;
    const c = a + w * 3;
    for (let k = 0; k < 3; k++) {
      const top = (s[a + k] as number) + ((s[a + 3 + k] as number) - (s[a + k] as number)) * wx;
      const bottom = (s[c + k] as number) + ((s[c + 3 + k] as number) - (s[c + k] as number)) * wx;
      acc[k] = (acc[k] as number) + top + (bottom - top) * wy;
    }
    return;
  }
  for (let k = 0; k < 3; k++) {
    const p00 = sample(s, w, h, x0, y0, k);
    const p10 = sample(s, w, h, x0 + 1, y0, k);
    const p01 = sample(s, w, h, x0, y0 + 1, k);
    const p11 = sample(s, w, h, x0 + 1, y0 + 1, k);
    const top = p00 + (p10 - p00) * wx;
    const bottom = p01 + (p11 - p01) * wx;
    acc[k] = (acc[k] as number) + top + (bottom - top) * wy;
  }
}

function sample(s: Uint8Array, w: number, h: number, x: number, y: number, k: number): number {
  if (x < 0 || y < 0 || x >= w || y >= h) return 0;
  return s[(y * w + x) * 3 + k] as number;
}
