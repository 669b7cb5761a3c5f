import type { RgbImage } from '../image/RgbImage.ts';
import type { FaceChoice } from './chooseFace.ts';

/** When a face is this small, or an image with no face found is this small, it is enlarged and analysed again. */
export interface SmallFaceLimits {
  /** Shorter side of the chosen face box, in working-image pixels. */
  minFaceSidePx: number;
  /** Longer side of an image in which no face was found. */
  maxFacelessSidePx: number;
  /** The largest enlargement; the measurement found ×3–4 best with Lanczos-3. */
  maxFactor: number;
  /** Below this an enlargement is not worth a second pass. */
  minFactor: number;
  /** The enlarged image's longer side stays within this (cost grows with pixels). */
  maxEnlargedSidePx: number;
}

/**
 * Measured with `bench/scoring/degrade.ts --only "face 40 px,face 60 px"` (docs/scoring.md,
 * "Small faces"): ×4 lifts 40 px faces from AUC 0.975 to 0.998 (×3: 0.998 too, a hair lower);
 * enlarging faces below 64 or 80 px as well changes no AUC but moves 60 px faces' genuine pairs
 * from Success to Review, so only faces below 48 px (the LOW_QUALITY size limit) are enlarged.
 * Dev-set photos are untouched by these limits.
 */
export const DEFAULT_SMALL_FACE_LIMITS: SmallFaceLimits = {
  minFaceSidePx: 48,
  maxFacelessSidePx: 160,
  maxFactor: 4,
  minFactor: 1.5,
  maxEnlargedSidePx: 1280,
};

/**
 * How much to enlarge `image` before detecting, locating landmarks and aligning again, or 1
 * for not at all. A group shot (several comparable faces) is left alone: enlarging cannot
 * make it a single-person photo.
 */
export function smallFaceEnlargement(
  image: RgbImage,
  choice: FaceChoice,
  maxPixels: number,
  limits: SmallFaceLimits = DEFAULT_SMALL_FACE_LIMITS,
): number {
  const longSide = Math.max(image.width, image.height);
  if (choice.kind === 'multiple') return 1;
  if (choice.kind === 'one' && Math.min(choice.face.width, choice.face.height) >= limits.minFaceSidePx)
    return 1;
  if (choice.kind === 'none' && longSide > limits.maxFacelessSidePx) return 1;
  const factor = Math.min(
    limits.maxFactor,
    limits.maxEnlargedSidePx / longSide,
    Math.sqrt(maxPixels / (image.width * image.height)),
  );
  return factor >= limits.minFactor ? factor : 1;
}
