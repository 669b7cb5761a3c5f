import { createRgbImage, type RgbImage } from '../image/RgbImage.ts';

/**
 * face-api's square input: black padding added on the right/bottom (detector) or
 * split evenly on both sides (landmark and descriptor nets, `centre`). Returns the
 * offset of the original image inside the square.
 */
export function padToSquare(
  image: RgbImage,
  centre: boolean,
): { square: RgbImage; offsetX: number; offsetY: number } {
  const side = Math.max(image.width, image.height);
  if (image.width === image.height) return { square: image, offsetX: 0, offsetY: 0 };
  const diff = side - Math.min(image.width, image.height);
  // face-api rounds the appended part and puts the remainder in front.
  const lead = centre ? diff - Math.round(diff * 0.5) : 0;
  const offsetX = image.width < side ? lead : 0;
  const offsetY = image.height < side ? lead : 0;
  const square = createRgbImage(side, side);
  for (let y = 0; y < image.height; y++) {
    square.data.set(
      image.data.subarray(y * image.width * 3, (y + 1) * image.width * 3),
      ((y + offsetY) * side + offsetX) * 3,
    );
  }
  return { square, offsetX, offsetY };
}
