import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createRgbImage } from '../../src/scoring/image/RgbImage.ts';
import { resizeBilinear } from '../../src/scoring/image/resizeBilinear.ts';

/**
 * face-api feeds its nets through tf.image.resizeBilinear (alignCorners=false,
 * halfPixelCenters=false) after padding to a square; our detector and landmark inputs
 * must match it, or the converted networks see different pixels than they were made for.
 */
describe('TF-style bilinear resize', () => {
  const image = createRgbImage(37, 23);
  for (let i = 0; i < image.data.length; i++) image.data[i] = (i * 7919) % 256;

  async function tfResize(padTo: number | null, size: [number, number]): Promise<Float32Array> {
    await tf.setBackend('cpu');
    return tf.tidy(() => {
      let t: tf.Tensor3D = tf.tensor3d(image.data, [image.height, image.width, 3], 'float32');
      if (padTo)
        t = tf.pad(t, [
          [0, padTo - image.height],
          [0, padTo - image.width],
          [0, 0],
        ]);
      return tf.image.resizeBilinear(t, size, false, false).dataSync() as Float32Array;
    });
  }

  it('matches tf.image.resizeBilinear when shrinking and enlarging', async () => {
    for (const [h, w] of [
      [11, 16],
      [50, 80],
    ] as const) {
      const ours = resizeBilinear(image, w, h);
      const theirs = await tfResize(null, [h, w]);
      const worst = Math.max(...Array.from(theirs, (v, i) => Math.abs(v - (ours.data[i] as number))));
      expect(worst).toBeLessThanOrEqual(0.5); // ours rounds to 8 bits
    }
  });

  it('matches pad-to-square (bottom/right, black) followed by the resize', async () => {
    const ours = resizeBilinear(image, 24, 24, 37, 37);
    const theirs = await tfResize(37, [24, 24]);
    const worst = Math.max(...Array.from(theirs, (v, i) => Math.abs(v - (ours.data[i] as number))));
    expect(worst).toBeLessThanOrEqual(0.5);
  });
});
