import type { RgbImage } from './RgbImage.ts';

export interface FaceQuality {
  /** Variance of the 4-neighbour Laplacian of luma; blur and heavy JPEG lower it. */
  sharpness: number;
  /** Mean luma, 0–255. */
  brightness: number;
}

/**
 * Quality signals on an aligned face chip. Measured on the chip rather than the
 * upload so that the numbers mean the same for a 4000 px selfie and a 60 px
 * document portrait: both are compared at the recogniser's resolution.
 */
export function measureFaceQuality(chip: RgbImage): FaceQuality {
  const { width, height, data } = chip;
  const luma = new Float32Array(width * height);
  let sum = 0;
  for (let i = 0; i < luma.length; i++) {
    const y =
      0.299 * (data[i * 3] as number) +
      0.587 * (data[i * 3 + 1] as number) +
      0.114 * (data[i * 3 + 2] as number);
    luma[i] = y;
    sum += y;
  }
  let lapSum = 0;
  let lapSq = 0;
  let count = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const lap =
        (luma[i - 1] as number) +
        (luma[i + 1] as number) +
        (luma[i - width] as number) +
        (luma[i + width] as number) -
        4 * (luma[i] as number);
      lapSum += lap;
      lapSq += lap * lap;
      count++;
    }
  }
  const mean = lapSum / Math.max(1, count);
  return {
    sharpness: count > 0 ? lapSq / count - mean * mean : 0,
    brightness: sum / Math.max(1, luma.length),
  };
}
