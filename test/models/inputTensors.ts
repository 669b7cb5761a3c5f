import sharp from 'sharp';

/** An image as the graphs take it: float RGB 0–255, NCHW, batch 1; plus the same pixels in HWC for TF.js. */
export interface InputPair {
  nchw: Float32Array;
  hwc: Float32Array;
  size: number;
}

function fromHwc(hwc: Float32Array, size: number): InputPair {
  const nchw = new Float32Array(hwc.length);
  const plane = size * size;
  for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) nchw[c * plane + p] = hwc[p * 3 + c] ?? 0;
  return { nchw, hwc, size };
}

/**
 * A real photo region scaled to size×size. The resize method does not matter here: both runtimes get
 * the very same floats, which is all an equivalence test needs.
 */
export async function photoInput(
  path: string,
  size: number,
  region?: { left: number; top: number; width: number; height: number },
): Promise<InputPair> {
  let image = sharp(path).removeAlpha();
  if (region) image = image.extract(region);
  const { data } = await image
    .resize(size, size, { fit: 'contain', position: 'left top', background: { r: 0, g: 0, b: 0 } })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return fromHwc(Float32Array.from(data), size);
}

/** Uniform 0–255 noise from a fixed seed (mulberry32), so a failure reproduces exactly. */
export function seededInput(size: number, seed: number): InputPair {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const hwc = new Float32Array(size * size * 3);
  for (let i = 0; i < hwc.length; i++) hwc[i] = next() * 255;
  return fromHwc(hwc, size);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return max;
}
