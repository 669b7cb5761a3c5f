import type { RgbImage } from '../image/RgbImage.ts';
import { resizeBilinear } from '../image/resizeBilinear.ts';

export interface Letterboxed {
  /** The resized image; it goes into the top-left of the network canvas. */
  image: RgbImage;
  canvasWidth: number;
  canvasHeight: number;
  /** Network pixels per source pixel. */
  scale: number;
}

/**
 * Fit an image into a detector canvas keeping its aspect ratio, padding bottom and
 * right (the convention YuNet and SCRFD were exported with). With `dynamicStride`
 * the canvas shrinks to the resized image rounded up to that stride, so small
 * uploads are not blown up into mostly padding.
 */
export function letterbox(image: RgbImage, maxSide: number, dynamicStride?: number): Letterboxed {
  const scale = Math.min(maxSide / image.width, maxSide / image.height);
  const width = Math.max(1, Math.round(image.width * scale));
  const height = Math.max(1, Math.round(image.height * scale));
  const resized =
    width === image.width && height === image.height ? image : resizeBilinear(image, width, height);
  const roundUp = (v: number) => (dynamicStride ? Math.ceil(v / dynamicStride) * dynamicStride : maxSide);
  return { image: resized, canvasWidth: roundUp(width), canvasHeight: roundUp(height), scale };
}
