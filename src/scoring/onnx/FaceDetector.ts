import type { RgbImage } from '../image/RgbImage.ts';
import type { Point } from '../image/similarityTransform.ts';

export interface DetectedFace {
  /** Box in the pixels of the image that was passed to `detect`. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** 0–1. */
  score: number;
  /**
   * Five points when the detector predicts them (YuNet, SCRFD), in ArcFace order:
   * the eye on the image's left, the eye on the image's right, nose tip, mouth
   * corner on the left, mouth corner on the right.
   */
  keypoints?: Point[];
}

/** Anything that finds faces in an RGB image. Implementations own their ONNX session. */
export interface FaceDetector {
  readonly id: string;
  detect(image: RgbImage): Promise<DetectedFace[]>;
  close(): Promise<void>;
}
