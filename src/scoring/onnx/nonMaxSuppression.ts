import type { DetectedFace } from './FaceDetector.ts';

/**
 * Greedy NMS: keep the best-scoring box, drop the ones overlapping it by more than
 * `iouLimit`. With `dropNested`, also drop a box whose centre lies inside a kept one:
 * detections of one face at two input scales can differ in size enough to pass the
 * IoU test, and must not be counted as two faces (MULTIPLE_FACES).
 */
export function nonMaxSuppression(
  faces: DetectedFace[],
  iouLimit: number,
  dropNested = false,
): DetectedFace[] {
  const sorted = [...faces].sort((a, b) => b.score - a.score);
  const kept: DetectedFace[] = [];
  for (const face of sorted) {
    if (
      kept.every(
        (k) => iou(k, face) <= iouLimit && !(dropNested && (centreInside(face, k) || centreInside(k, face))),
      )
    ) {
      kept.push(face);
    }
  }
  return kept;
}

function centreInside(a: DetectedFace, b: DetectedFace): boolean {
  const cx = a.x + a.width / 2;
  const cy = a.y + a.height / 2;
  return cx >= b.x && cx <= b.x + b.width && cy >= b.y && cy <= b.y + b.height;
}

export function iou(a: DetectedFace, b: DetectedFace): number {
  const x1 = Math.max(a.x, b.x);
  const y1 = Math.max(a.y, b.y);
  const x2 = Math.min(a.x + a.width, b.x + b.width);
  const y2 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}
