import { type DecodeLimits, decodeImage } from '../image/decodeImage.ts';
import { enlargeImage } from '../image/enlargeImage.ts';
import { measureFaceQuality } from '../image/faceQuality.ts';
import type { RgbImage } from '../image/RgbImage.ts';
import { type Point, similarityTransform } from '../image/similarityTransform.ts';
import { warpAffine } from '../image/warpAffine.ts';
import {
  type FaceData,
  type ImageAnalysis,
  type ImageRole,
  LANDMARK_NAMES,
  type Landmark,
  type Reason,
} from '../ScoringEngine.ts';
import { chooseFace, type FaceChoice } from './chooseFace.ts';
import type { DetectedFace, FaceDetector } from './FaceDetector.ts';
import type { FaceLandmarker } from './FaceLandmarker.ts';
import type { FaceRecognizer } from './FaceRecognizer.ts';
import { ARCFACE_112_TEMPLATE } from './faceTemplates.ts';
import { findFaces } from './findFaces.ts';
import type { QualityLimits } from './qualityLimits.ts';
import { smallFaceEnlargement } from './smallFaceEnlargement.ts';

export interface FacePipeline {
  detector: FaceDetector;
  landmarker?: FaceLandmarker;
  recognizer: FaceRecognizer;
  decodeLimits: DecodeLimits;
  qualityLimits: QualityLimits;
}

export interface ImageVerdict {
  analysis: ImageAnalysis | null;
  /** Present only when a single usable face was found. */
  descriptor?: Float32Array;
  /** Reasons that make the comparison inconclusive (score 0). */
  blocking: Reason[];
  /** Reasons that accompany a score without zeroing it. */
  warnings: Reason[];
}

const NAMES: Record<ImageRole, string> = { SELFIE: 'selfie', DOCUMENT: 'document image' };

/** Everything the engine needs from one upload: decode → detect → choose → align → describe → quality. */
export async function analyseImage(
  bytes: Buffer,
  role: ImageRole,
  pipeline: FacePipeline,
): Promise<ImageVerdict> {
  const decoded = await decodeImage(bytes, pipeline.decodeLimits);
  if (!decoded.ok) {
    return {
      analysis: null,
      blocking: [
        { code: 'UNREADABLE_IMAGE', image: role, message: `The ${NAMES[role]} ${decoded.problem}.` },
      ],
      warnings: [],
    };
  }
  const {
    image,
    faces,
    choice,
    scaleToOriginal: k,
  } = await locateFaces(decoded.image, decoded.scaleToOriginal, role, pipeline);
  const base = { width: decoded.originalWidth, height: decoded.originalHeight, facesFound: faces.length };
  if (choice.kind === 'none') {
    return {
      analysis: { ...base, face: null },
      blocking: [
        {
          code: role === 'SELFIE' ? 'NO_FACE_SELFIE' : 'NO_FACE_DOCUMENT',
          image: role,
          message: `No face was found in the ${NAMES[role]}; send a photo where the face is visible, frontal and at least ${pipeline.qualityLimits.minFaceSizePx} px wide.`,
        },
      ],
      warnings: [],
    };
  }
  if (choice.kind === 'multiple') {
    return {
      analysis: { ...base, face: faceData(choice.faces[0] as DetectedFace, k, base.width, base.height) },
      blocking: [
        {
          code: 'MULTIPLE_FACES',
          image: role,
          message: `The ${NAMES[role]} shows ${choice.count} faces of similar size; send a photo of the applicant alone.`,
        },
      ],
      warnings: [],
    };
  }
  const face = choice.face;
  const points = pipeline.landmarker ? await pipeline.landmarker.locate(image, face) : face.keypoints;
  if (!points)
    throw new Error(
      `detector ${pipeline.detector.id} gives no keypoints and no landmark model is configured`,
    );
  const recognizer = pipeline.recognizer;
  const chip = alignTo(image, points, recognizer.template, recognizer.chipSize);
  const descriptor = await recognizer.embed(chip);
  // Quality is always measured on the same 112 ArcFace framing so limits do not depend on the recogniser.
  const qualityChip =
    recognizer.chipSize === 112 && recognizer.template === ARCFACE_112_TEMPLATE
      ? chip
      : alignTo(image, points, ARCFACE_112_TEMPLATE, 112);
  const quality = measureFaceQuality(qualityChip);
  const data: FaceData = {
    ...faceData(face, k, base.width, base.height),
    quality,
    landmarks: uploadLandmarks(points, k, base.width, base.height),
  };
  return {
    analysis: { ...base, face: data },
    descriptor,
    blocking: [],
    warnings: qualityWarnings(data, role, pipeline.qualityLimits),
  };
}

interface LocatedFaces {
  image: RgbImage;
  faces: DetectedFace[];
  choice: FaceChoice;
  scaleToOriginal: number;
}

/**
 * Detect and choose; when the face (or a faceless image) is small, do it again on a Lanczos
 * enlargement and keep working on that, so landmarks and alignment see it too. The enlarged
 * result is kept only when it settles on one face, or when the plain image gave none.
 */
async function locateFaces(
  image: RgbImage,
  scaleToOriginal: number,
  role: ImageRole,
  pipeline: FacePipeline,
): Promise<LocatedFaces> {
  const faces = await findFaces(pipeline.detector, image);
  const choice = chooseFace(faces, role === 'SELFIE');
  const plain = { image, faces, choice, scaleToOriginal };
  const factor = smallFaceEnlargement(image, choice, pipeline.decodeLimits.maxInputPixels);
  if (factor === 1) return plain;
  const enlarged = await enlargeImage(image, factor);
  const enlargedFaces = await findFaces(pipeline.detector, enlarged);
  const enlargedChoice = chooseFace(enlargedFaces, role === 'SELFIE');
  if (enlargedChoice.kind === 'none') return plain;
  if (enlargedChoice.kind === 'multiple' && choice.kind !== 'none') return plain;
  return {
    image: enlarged,
    faces: enlargedFaces,
    choice: enlargedChoice,
    scaleToOriginal: (scaleToOriginal * image.width) / enlarged.width,
  };
}

function alignTo(
  image: RgbImage,
  points: readonly Point[],
  template: readonly Point[],
  size: number,
): RgbImage {
  return warpAffine(image, similarityTransform(points, template), size, size);
}

/**
 * The box in upload pixels, clipped to the upload: a face found on a padded copy of a
 * tight crop extends past the edges, and partners draw these boxes on their image.
 */
function faceData(face: DetectedFace, k: number, width: number, height: number): FaceData {
  const x0 = Math.max(0, face.x * k);
  const y0 = Math.max(0, face.y * k);
  const x1 = Math.min(width, (face.x + face.width) * k);
  const y1 = Math.min(height, (face.y + face.height) * k);
  const box = { x: x0, y: y0, width: Math.max(1, x1 - x0), height: Math.max(1, y1 - y0) };
  const round = (v: number) => Math.round(v);
  return {
    box: { x: round(box.x), y: round(box.y), width: round(box.width), height: round(box.height) },
    confidence: Math.round(face.score * 1000) / 1000,
    sizePx: round(Math.min(box.width, box.height)),
  };
}

/**
 * The alignment points in upload pixels. `points` are in the working image, which may be a
 * downscaled or enlarged copy (k maps either back); findFaces has already undone the padding of
 * a tight crop, but a point can still fall just outside the frame (a face cut by the edge), so
 * it is clamped onto the image a partner draws it on.
 */
function uploadLandmarks(points: readonly Point[], k: number, width: number, height: number): Landmark[] {
  const clamp = (v: number, max: number) => Math.round(Math.min(max, Math.max(0, v)) * 10) / 10;
  return LANDMARK_NAMES.map((name, i) => {
    const [x, y] = points[i] as Point;
    return { name, x: clamp(x * k, width), y: clamp(y * k, height) };
  });
}

function qualityWarnings(face: FaceData, role: ImageRole, limits: QualityLimits): Reason[] {
  const problems: string[] = [];
  const q = face.quality;
  if (face.sizePx < limits.minFaceSizePx) {
    problems.push(`the face is ${face.sizePx} px wide (at least ${limits.minFaceSizePx} px is expected)`);
  }
  if (q && q.sharpness < limits.minSharpness) problems.push('the face is blurred or heavily compressed');
  if (q && q.brightness < limits.minBrightness) problems.push('the face is too dark');
  if (q && q.brightness > limits.maxBrightness) problems.push('the face is over-exposed');
  if (problems.length === 0) return [];
  return [
    {
      code: role === 'SELFIE' ? 'LOW_QUALITY_SELFIE' : 'LOW_QUALITY_DOCUMENT',
      image: role,
      message: `In the ${NAMES[role]} ${problems.join('; ')}; the score may be lower than the person deserves.`,
    },
  ];
}
