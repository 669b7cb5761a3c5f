/** A decoded picture as interleaved 8-bit RGB, the one pixel format the pipeline works on. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export function createRgbImage(width: number, height: number): RgbImage {
  return { data: new Uint8Array(width * height * 3), width, height };
}
