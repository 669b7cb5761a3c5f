import { createRgbImage, type RgbImage } from './RgbImage.ts';

/**
 * Bilinear resize with TensorFlow's legacy convention (align_corners=false,
 * half_pixel_centers=false: source = destination × in/out). face-api resizes its
 * network inputs this way, and its weights were trained and calibrated on it;
 * sharp's kernels sample at pixel centres and give measurably different inputs.
 *
 * `fromWidth`/`fromHeight` larger than the image treat it as padded with black at the
 * right and bottom to that size (face-api's pad-to-square) without building the copy.
 */
export function resizeBilinear(
  src: RgbImage,
  width: number,
  height: number,
  fromWidth = src.width,
  fromHeight = src.height,
): RgbImage {
  const out = createRgbImage(width, height);
  // Column taps are the same for every row: work them out once. -1 marks padding.
  const col0 = new Int32Array(width);
  const col1 = new Int32Array(width);
  const colW = new Float32Array(width);
  const sx = fromWidth / width;
  for (let x = 0; x < width; x++) {
    const fx = x * sx;
    const x0 = Math.floor(fx);
    const x1 = Math.min(x0 + 1, fromWidth - 1);
    col0[x] = x0 < src.width ? x0 * 3 : -1;
    col1[x] = x1 < src.width ? x1 * 3 : -1;
    colW[x] = fx - x0;
  }
  const s = src.data;
  const d = out.data;
  const rowStride = src.width * 3;
  const sy = fromHeight / height;
  for (let y = 0; y < height; y++) {
    const fy = y * sy;
    const y0 = Math.floor(fy);
    if (y0 >= src.height) break; // the rest is padding, already black
    const y1 = Math.min(y0 + 1, fromHeight - 1);
    const r0 = y0 * rowStride;
    const r1 = y1 < src.height ? y1 * rowStride : -1;
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const c0 = col0[x] as number;
      if (c0 < 0) break;
      const c1 = col1[x] as number;
      const wx = colW[x] as number;
      const o = (y * width + x) * 3;
      for (let k = 0; k < 3; k++) {
        const p00 = s[r0 + c0 + k] as number;
        const p10 = c1 >= 0 ? (s[r0 + c1 + k] as number) : 0;
        const p01 = r1 >= 0 ? (s[r1 + c0 + k] as number) : 0;
        const p11 = r1 >= 0 && c1 >= 0 ? (s[r1 + c1 + k] as number) : 0;
        const top = p00 + (p10 - p00) * wx;
        const bottom = p01 + (p11 - p01) * wx;
        d[o + k] = Math.round(top + (bottom - top) * wy);
      }
    }
  }
  return out;
}
