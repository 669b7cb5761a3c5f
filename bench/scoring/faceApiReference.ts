import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

type FaceApi = typeof import('@vladmandic/face-api');

interface TfRuntime {
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  tensor3d(values: Uint8Array, shape: [number, number, number], dtype: 'int32'): { dispose(): void };
}

export interface ReferenceDescriber {
  /** face-api's standard chain on one upload: SSD detection → 68 landmarks → 128-d descriptor. */
  describe(bytes: Buffer): Promise<Float32Array | null>;
}

/**
 * The TF.js reference pipeline the issue benchmarks against: @vladmandic/face-api's
 * Node build on the WebAssembly backend (single-threaded in Node), SSD MobileNet v1
 * detector, face-api's default options. Images decode with sharp as ours do, so the
 * comparison is about the networks and their runtime, not the JPEG decoder.
 */
export async function createFaceApiReference(): Promise<ReferenceDescriber> {
  const require = createRequire(import.meta.url);
  // face-api's wasm build is CommonJS and registers the wasm backend when loaded.
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
  const tf = faceapi.tf as unknown as TfRuntime;
  await tf.setBackend('wasm');
  await tf.ready();
  const modelDir = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
  await Promise.all([
    faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir),
    faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir),
    faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir),
  ]);
  const options = new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 });
  return {
    async describe(bytes: Buffer): Promise<Float32Array | null> {
      let raw: { data: Buffer; info: sharp.OutputInfo };
      try {
        raw = await sharp(bytes, { failOn: 'error' })
          .rotate()
          .removeAlpha()
          .toColourspace('srgb')
          .raw()
          .toBuffer({ resolveWithObject: true });
      } catch {
        return null;
      }
      const input = tf.tensor3d(new Uint8Array(raw.data), [raw.info.height, raw.info.width, 3], 'int32');
      try {
        const result = await faceapi
          .detectSingleFace(input as unknown as Parameters<FaceApi['detectSingleFace']>[0], options)
          .withFaceLandmarks()
          .withFaceDescriptor();
        return result ? result.descriptor : null;
      } finally {
        input.dispose();
      }
    },
  };
}
