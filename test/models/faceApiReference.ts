import { createRequire } from 'node:module';

export type FaceApi = typeof import('@vladmandic/face-api');

/** Engine calls that exist at run time but that face-api's bundled subset of the tf types leaves out. */
interface TfEngine {
  setBackend(name: 'wasm' | 'cpu'): Promise<boolean>;
  ready(): Promise<void>;
  dispose(tensors: unknown): void;
}

export function tfEngine(faceapi: FaceApi): TfEngine {
  return faceapi.tf as unknown as TfEngine;
}

/**
 * face-api's own Node build on the TF.js WebAssembly backend: the reference our ONNX graphs must
 * reproduce. Loaded through require because that build is CommonJS and registers its backends on load.
 * The wasm backend runs single-threaded in Node (no wasm threads), matching ORT with 1 intra-op thread.
 */
export async function loadFaceApi(modelDir: string): Promise<FaceApi> {
  const require = createRequire(import.meta.url);
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as FaceApi;
  await tfEngine(faceapi).setBackend('wasm');
  await tfEngine(faceapi).ready();
  await Promise.all([
    faceapi.nets.tinyFaceDetector.loadFromDisk(modelDir),
    faceapi.nets.faceLandmark68Net.loadFromDisk(modelDir),
    faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir),
    faceapi.nets.ssdMobilenetv1.loadFromDisk(modelDir),
  ]);
  return faceapi;
}
