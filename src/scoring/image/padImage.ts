import { createRgbImage, type RgbImage } from './RgbImage.ts';

/**
 * Surround an image with `pad` pixels of a flat colour on every side. Tight
 * portrait crops (an e-passport chip image is little more than the face) give
 * detectors no context and a face touching the borders; adding a margin makes the
 * face look like the ones they were trained on. The colour is the mean of the
 * image border so the margin does not draw a hard edge detectors read as a face contour.
 */
export function padImage(image: RgbImage, pad: number): RgbImage {
  const { width, height, data } = image;
  const fill = borderMean(image);
  const out = createRgbImage(width + 2 * pad, height + 2 * pad);
  // One row of the fill colour, copied row by row: far cheaper than writing pixels singly.
  const fillRow = new Uint8Array(out.width * 3);
  for (let x = 0; x < out.width; x++) fillRow.set(fill, x * 3);
  for (let y = 0; y < out.height; y++) out.data.set(fillRow, y * out.width * 3);
  for (let y = 0; y < height; y++) {
    out.data.set(data.subarray(y * width * 3, (y + 1) * width * 3), ((y + pad) * out.width + pad) * 3);
  }
  return out;
}

function borderMean(image: RgbImage): [number, number, number] {
  const { width, height, data } = image;
  const sum = [0, 0, 0];
  let n = 0;
  const add = (x: number, y: number) => {
    const o = (y * width + x) * 3;
    sum[0] = (sum[0] as number) + (data[o] as number);
    sum[1] = (sum[1] as number) + (data[o + 1] as number);
    sum[2] = (sum[2] as number) + (data[o + 2] as number);
    n++;
  };
  for (let x = 0; x < width; x++) {
    add(x, 0);
    add(x, height - 1);
  }
  for (let y = 1; y < height - 1; y++) {
    add(0, y);
    add(width - 1, y);
  }
  return [
    Math.round((sum[0] as number) / n),
    Math.round((sum[1] as number) / n),
    Math.round((sum[2] as number) / n),
  ];
}
