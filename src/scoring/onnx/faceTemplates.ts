import type { Point } from '../image/similarityTransform.ts';

/**
 * Where the five reference points (image-left eye, image-right eye, nose tip,
 * image-left mouth corner, image-right mouth corner) sit in a 112×112 ArcFace chip.
 * InsightFace's published alignment template; SFace and most MobileFaceNets use it too.
 */
export const ARCFACE_112_TEMPLATE: readonly Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/** Scale a template written for one chip size to another with the same framing. */
export function scaleTemplate(template: readonly Point[], from: number, to: number): Point[] {
  return template.map(([x, y]) => [(x * to) / from, (y * to) / from] as const);
}

/**
 * Five-point template for face-api's 150×150 descriptor chip. face-api itself does
 * not rotate faces: it crops the square `alignDlib` derives from the 68 landmarks —
 * the centroid of (left-eye centre, right-eye centre, mouth centre) at 50 % across
 * and 43 % down, side = mean eye-to-mouth distance / 0.45 — and resizes it to 150.
 * We keep that framing but take the face geometry from the ArcFace template (a mean
 * of many aligned faces), so a similarity warp onto these points reproduces
 * face-api's crop for an upright face and also levels tilted heads.
 */
export const FACENET_150_TEMPLATE: readonly Point[] = faceApiFraming(ARCFACE_112_TEMPLATE, 150);

function faceApiFraming(template: readonly Point[], chip: number): Point[] {
  const [le, re, , lm, rm] = template as [Point, Point, Point, Point, Point];
  const mouth: Point = [(lm[0] + rm[0]) / 2, (lm[1] + rm[1]) / 2];
  const eyeToMouth =
    (Math.hypot(mouth[0] - le[0], mouth[1] - le[1]) + Math.hypot(mouth[0] - re[0], mouth[1] - re[1])) / 2;
  const scale = (0.45 * chip) / eyeToMouth;
  const cx = (le[0] + re[0] + mouth[0]) / 3;
  const cy = (le[1] + re[1] + mouth[1]) / 3;
  return template.map(([x, y]) => [0.5 * chip + (x - cx) * scale, 0.43 * chip + (y - cy) * scale] as const);
}
