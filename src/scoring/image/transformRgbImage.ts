import sharp, { type Sharp } from 'sharp';
import type { RgbImage } from './RgbImage.ts';

/** Runs an already-decoded RGB image through one sharp operation and back, without copying its pixels in. */
export async function transformRgbImage(
  image: RgbImage,
  operation: (pipeline: Sharp) => Sharp,
): Promise<RgbImage> {
  const pixels = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  const { data, info } = await operation(
    sharp(pixels, { raw: { width: image.width, height: image.height, channels: 3 } }),
  )
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
  };
}
