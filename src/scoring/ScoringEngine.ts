/**
 * The seam between the partner flow and whatever compares two faces.
 *
 * Engines never throw for bad *input*: an undecodable image, an image with no
 * face, or two faces where one was expected are results (score 0 plus a
 * reason), because that is what the production API reports. They may throw for
 * failures of their own (a model that fails to load); the caller records those
 * as an ERROR outcome with ENGINE_ERROR.
 */
export type ImageRole = 'SELFIE' | 'DOCUMENT';

export type ReasonCode =
  | 'NO_FACE_SELFIE'
  | 'NO_FACE_DOCUMENT'
  | 'MULTIPLE_FACES'
  | 'UNREADABLE_IMAGE'
  | 'LOW_QUALITY_SELFIE'
  | 'LOW_QUALITY_DOCUMENT'
  | 'ENGINE_ERROR';

export interface Reason {
  code: ReasonCode;
  /** Which upload the reason is about; absent when it concerns the comparison as a whole. */
  image?: ImageRole;
  /** A sentence for the partner's logs: what was seen and, where it helps, what to change. */
  message: string;
}

export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The five alignment points, ArcFace order; left and right as seen in the image. */
export const LANDMARK_NAMES = [
  'leftEye',
  'rightEye',
  'noseTip',
  'leftMouthCorner',
  'rightMouthCorner',
] as const;
export type LandmarkName = (typeof LANDMARK_NAMES)[number];

export interface Landmark {
  name: LandmarkName;
  /** Pixels of the uploaded image as displayed (EXIF orientation applied). */
  x: number;
  y: number;
}

export interface FaceData {
  box: FaceBox;
  /** Detector confidence, 0–1. */
  confidence: number;
  /** The shorter side of the face box, in pixels of the uploaded image. */
  sizePx: number;
  quality?: {
    /** Variance of the Laplacian on the aligned face chip; higher is sharper. */
    sharpness: number;
    /** Mean luma of the face chip, 0–255. */
    brightness: number;
  };
  /**
   * The five points the face was aligned on, in LANDMARK_NAMES order; absent when the engine did
   * not align this face, and on results recorded before landmarks were kept. Mock metadata for the
   * admin API: the partner contract has no landmarks.
   */
  landmarks?: Landmark[];
}

export interface ImageAnalysis {
  width: number;
  height: number;
  /** The face the comparison used, or null when none was found or the image was unreadable. */
  face: FaceData | null;
  facesFound: number;
}

export interface ScoreResult {
  /** Integer 0–100. 0 is reserved for "inconclusive" and always comes with at least one reason. */
  score: number;
  reasons: Reason[];
  selfie: ImageAnalysis | null;
  document: ImageAnalysis | null;
  /** Engine name and model identity, for the details response and for debugging. */
  engine: string;
}

export interface EngineLoad {
  /** Workers ready to score. */
  ready: number;
  /** Comparisons inside workers: running, or held as a worker's next one. */
  running: number;
  /** Comparisons waiting for a free worker. */
  waiting: number;
  /** Workers started again after one stopped unexpectedly, since start-up. */
  restarts: number;
}

export interface ScoringEngine {
  readonly name: string;
  /** Comparisons it runs at once, when it has such a limit (the onnx worker pool). */
  readonly capacity?: number;
  /** Worker threads it scores on, when it uses them. */
  readonly workers?: number;
  /** How busy its workers are right now, when it has any (read by `GET /metrics`). */
  load?(): EngineLoad;
  score(selfie: Buffer, document: Buffer): Promise<ScoreResult>;
  close(): Promise<void>;
}
