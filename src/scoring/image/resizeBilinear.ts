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
  if (fromWidth > src.width || fromHeight > src.height)
    return resizePadded(src, width, height, fromWidth, fromHeight);
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

function resizePadded(
  src: RgbImage,
  width: number,
  height: number,
  fromWidth: number,
  fromHeight: number,
): RgbImage {
  const out = createRgbImage(width, height);
  const sx = fromWidth / width;
  const sy = fromHeight / height;
  const s = src.data;
  const at = (x: number, y: number, k: number) =>
    x < src.width && y < src.height ? (s[(y * src.width + x) * 3 + k] as number) : 0;
  for (let y = 0; y < height; y++) {
    const fy = y * sy;
    const y0 = Math.floor(fy);
    if (y0 >= src.height) break;
    const y1 = Math.min(y0 + 1, fromHeight - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = x * sx;
      const x0 = Math.floor(fx);
      if (x0 >= src.width) break;
      const x1 = Math.min(x0 + 1, fromWidth - 1);
      const wx = fx - x0;
      const o = (y * width + x) * 3;
      for (let k = 0; k < 3; k++) {
        const top = at(x0, y0, k) + (at(x1, y0, k) - at(x0, y0, k)) * wx;
        const bottom = at(x0, y1, k) + (at(x1, y1, k) - at(x0, y1, k)) * wx;
        out.data[o + k] = Math.round(top + (bottom - top) * wy);
      }
    }
  }
  return out;
}
