import sharp from 'sharp';
import type { RgbImage } from './RgbImage.ts';

/**
 * Unsharp mask (sharp's: Gaussian of `sigma` px, gain `amount` on both flat and jagged
 * areas). Used only to help the detector find a heavily blurred face; the descriptor never
 * sees the sharpened pixels.
 */
export async function sharpenImage(image: RgbImage, sigma: number, amount: number): Promise<RgbImage> {
  const pixels = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  const { data, info } = await sharp(pixels, {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .sharpen({ sigma, m1: amount, m2: amount })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
  };
}
