import { createRgbImage, type RgbImage } from './RgbImage.ts';

/**
 * Bilinear resize with TensorFlow's legacy convention (align_corners=false,
 * half_pixel_centers=false: source = destination × in/out). face-api resizes its
 * network inputs this way, and its weights were trained and calibrated on it;
 * sharp's kernels sample at pixel centres and give measurably different inputs.
 */
export function resizeBilinear(src: RgbImage, width: number, height: number): RgbImage {
  const out = createRgbImage(width, height);
  const sx = src.width / width;
  const sy = src.height / height;
  const s = src.data;
  const d = out.data;
  const rowStride = src.width * 3;
  for (let y = 0; y < height; y++) {
    const fy = y * sy;
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, src.height - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = x * sx;
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, src.width - 1);
      const wx = fx - x0;
      const a = y0 * rowStride + x0 * 3;
      const b = y0 * rowStride + x1 * 3;
      const c = y1 * rowStride + x0 * 3;
      const e = y1 * rowStride + x1 * 3;
      const o = (y * width + x) * 3;
      for (let k = 0; k < 3; k++) {
        const top = (s[a + k] as number) + ((s[b + k] as number) - (s[a + k] as number)) * wx;
        const bottom = (s[c + k] as number) + ((s[e + k] as number) - (s[c + k] as number)) * wx;
        d[o + k] = Math.round(top + (bottom - top) * wy);
      }
    }
  }
  return out;
}
