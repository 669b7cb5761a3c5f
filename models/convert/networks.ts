import { faceLandmark68 } from './nets/faceLandmark68.ts';
import { faceRecognition } from './nets/faceRecognition.ts';
import { ssdMobilenetv1 } from './nets/ssdMobilenetv1.ts';
import { tinyFaceDetector } from './nets/tinyFaceDetector.ts';
import type { NetworkSpec } from './networkSpec.ts';

/** Every network the converter emits: the pipeline's three, then the optional SSD detector. */
export const NETWORKS: readonly NetworkSpec[] = [
  tinyFaceDetector,
  faceLandmark68,
  faceRecognition,
  ssdMobilenetv1,
];
