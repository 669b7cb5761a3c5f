import type { RgbImage } from '../image/RgbImage.ts';
import type { Point } from '../image/similarityTransform.ts';
import type { DetectedFace } from './FaceDetector.ts';

/**
 * Refines a detection into the five alignment points (same order as
 * `DetectedFace.keypoints`). Needed for detectors that only give boxes, and
 * preferred for face-api's recogniser, which was trained on 68-point alignment.
 */
export interface FaceLandmarker {
  readonly id: string;
  locate(image: RgbImage, face: DetectedFace): Promise<Point[]>;
  close(): Promise<void>;
}
