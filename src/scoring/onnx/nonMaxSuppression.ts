import type { DetectedFace } from './FaceDetector.ts';

/** Greedy NMS: keep the best-scoring box, drop the ones overlapping it by more than `iouLimit`. */
export function nonMaxSuppression(faces: DetectedFace[], iouLimit: number): DetectedFace[] {
  const sorted = [...faces].sort((a, b) => b.score - a.score);
  const kept: DetectedFace[] = [];
  for (const face of sorted) {
    if (kept.every((k) => iou(k, face) <= iouLimit)) kept.push(face);
  }
  return kept;
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
