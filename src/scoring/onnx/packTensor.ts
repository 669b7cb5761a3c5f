import type { RgbImage } from '../image/RgbImage.ts';

/** How a network wants its pixels: channel order and per-channel (x − mean) / std. */
export interface PixelNormalisation {
  channelOrder: 'rgb' | 'bgr';
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

/**
 * Write `image` into the top-left of a planar NCHW float canvas of the given size,
 * normalised. Pixels outside the image are raw value `padValue` (0 = black, the
 * letterbox fill detectors were trained with), normalised like the rest.
 * `mean`/`std` are given in RGB order even for BGR networks.
 */
export function packTensor(
  image: RgbImage,
  canvasWidth: number,
  canvasHeight: number,
  norm: PixelNormalisation,
  padValue = 0,
): Float32Array {
  const plane = canvasWidth * canvasHeight;
  const out = new Float32Array(plane * 3);
  const order = norm.channelOrder === 'rgb' ? [0, 1, 2] : [2, 1, 0];
  for (let c = 0; c < 3; c++) {
    const src = order[c] as number;
    const mean = norm.mean[src] as number;
    const scale = 1 / (norm.std[src] as number);
    const fill = (padValue - mean) * scale;
    const base = c * plane;
    out.fill(fill, base, base + plane);
    const w = Math.min(image.width, canvasWidth);
    const h = Math.min(image.height, canvasHeight);
    for (let y = 0; y < h; y++) {
      const row = base + y * canvasWidth;
      const srcRow = y * image.width * 3;
      for (let x = 0; x < w; x++) {
        out[row + x] = ((image.data[srcRow + x * 3 + src] as number) - mean) * scale;
      }
    }
  }
  return out;
}

/** Planar [3,H,W] → interleaved [H,W,3], for graphs exported channels-last. */
export function planarToNhwc(planar: Float32Array, size: number): Float32Array {
  const plane = size * size;
  const out = new Float32Array(plane * 3);
  for (let i = 0; i < plane; i++) {
    out[i * 3] = planar[i] as number;
    out[i * 3 + 1] = planar[plane + i] as number;
    out[i * 3 + 2] = planar[2 * plane + i] as number;
  }
  return out;
}
