import type { RgbImage } from './RgbImage.ts';
import { transformRgbImage } from './transformRgbImage.ts';

/**
 * Unsharp mask (sharp's: Gaussian of `sigma` px, gain `amount` on both flat and jagged
 * areas). Used only to help the detector find a heavily blurred face; the descriptor never
 * sees the sharpened pixels.
 */
export async function sharpenImage(image: RgbImage, sigma: number, amount: number): Promise<RgbImage> {
  return transformRgbImage(image, (pipeline) => pipeline.sharpen({ sigma, m1: amount, m2: amount }));
}
