import { createRgbImage, type RgbImage } from './RgbImage.ts';

/** Copy the integer rectangle [x, x+w) × [y, y+h), clipped to the image; offsets say where it began. */
export function cropImage(
  image: RgbImage,
  x: number,
  y: number,
  width: number,
  height: number,
): { image: RgbImage; offsetX: number; offsetY: number } {
  const x0 = Math.min(image.width - 1, Math.max(0, Math.floor(x)));
  const y0 = Math.min(image.height - 1, Math.max(0, Math.floor(y)));
  const x1 = Math.min(image.width, Math.max(x0 + 1, Math.floor(x + width)));
  const y1 = Math.min(image.height, Math.max(y0 + 1, Math.floor(y + height)));
  const out = createRgbImage(x1 - x0, y1 - y0);
  for (let row = y0; row < y1; row++) {
    out.data.set(
      image.data.subarray((row * image.width + x0) * 3, (row * image.width + x1) * 3),
      (row - y0) * out.width * 3,
    );
  }
  return { image: out, offsetX: x0, offsetY: y0 };
}
