import type { RgbImage } from '../image/RgbImage.ts';
import type { Point } from '../image/similarityTransform.ts';

export type DistanceMetric = 'cosine' | 'euclidean';

/** Turns an aligned face chip into a descriptor; the pipeline aligns to `template` at `chipSize`. */
export interface FaceRecognizer {
  readonly id: string;
  readonly chipSize: number;
  /** Five reference points in chip pixels, same order as `DetectedFace.keypoints`. */
  readonly template: readonly Point[];
  readonly metric: DistanceMetric;
  embed(chip: RgbImage): Promise<Float32Array>;
  close(): Promise<void>;
}
