import { faceLandmark68 } from './nets/faceLandmark68.ts';
import { faceRecognition } from './nets/faceRecognition.ts';
import { tinyFaceDetector } from './nets/tinyFaceDetector.ts';
import type { NetworkSpec } from './networkSpec.ts';

/** Every network the converter emits, in the order the pipeline uses them. */
export const NETWORKS: readonly NetworkSpec[] = [tinyFaceDetector, faceLandmark68, faceRecognition];
